/**
 * Writes the envelope conformance vectors, conformance-tests/vectors/v1/envelope/<handler>/<suite>.json,
 * from FIXED test keys (private key = keccak256("sfr-test-key-N")) and fixed times.
 * Usage: npx tsx reference-node/scripts/generate-envelope-vectors.ts [--check]
 * `--check` writes nothing and exits 1 if regenerating would change any file.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bytesToHex,
  canonicalize,
  createMemorySigningJournal,
  deriveTestKey,
  type Envelope,
  type EquivocationEvidence,
  getCryptoBackend,
  hashPayload,
  hashTypedEnvelope,
  hexToBytes,
  type MemberKey,
  messageIdOf,
  SECP256K1_N,
  signEnvelope,
  toChecksumAddress,
  typedEnvelopeDigest,
  type UnsignedEnvelope,
} from '../src/envelope/index.js';
import { handleRequest } from '../src/harness/handleRequest.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'conformance-tests/vectors/v1/envelope');
const check = process.argv.includes('--check');

// Fixed inputs. T is 2026-01-01T00:00:00Z; the windows are the harness config of each case.
const T = 1_767_225_600_000;
const CONFIG = { skewMs: 10_000, maxAgeMs: 300_000 };
const K1 = deriveTestKey('sfr-test-key-1');
const K2 = deriveTestKey('sfr-test-key-2');
const K3 = deriveTestKey('sfr-test-key-3');
const K4 = deriveTestKey('sfr-test-key-4');
const POOL = `0x${'a1'.repeat(32)}` as const;
const VAULT = toChecksumAddress('0x00000000000000000000000000000000000005f1');
const CLAIM = `0x${'c1'.repeat(32)}` as const;
const enc = new TextEncoder();

type Case = {
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
};
const files = new Map<string, { handler: string; suite: string; cases: Case[] }>();
function add(handler: string, suite: string, c: Case): void {
  const key = `${handler}/${suite}`;
  const file = files.get(key) ?? { handler, suite, cases: [] };
  file.cases.push(c);
  files.set(key, file);
}

function event(key: MemberKey, seq: number, extra: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope {
  return {
    sfr: '1.0',
    type: 'RecoveryEvent',
    issuer: key.address,
    seq,
    issuedAt: T,
    payload: { kind: 'emergency_pause', protocol: 'example-lend', note: `event ${seq}` },
    ...extra,
  };
}

function attestation(key: MemberKey, seq: number, verdict: string, withDomain = false): UnsignedEnvelope {
  return {
    sfr: '1.0',
    type: 'ClaimAttestation',
    issuer: key.address,
    seq,
    issuedAt: T,
    scope: { poolId: POOL, epoch: 3 },
    ...(withDomain ? { domain: { chainId: 8453, verifyingContract: VAULT } } : {}),
    payload: { claimId: CLAIM, round: 1, verdict, amount: verdict === 'approve' ? '1000000' : '0' },
  };
}

async function sign(key: MemberKey, unsigned: UnsignedEnvelope, rotatedKey = false): Promise<Envelope> {
  const r = await signEnvelope({
    privateKey: key.privateKey,
    unsigned,
    guard: createMemorySigningJournal(),
    rotatedKey,
  });
  return r.envelope;
}

/** Sign with an arbitrary EIP-712 domain / key, bypassing the library's checks (negative vectors). */
function signRaw(
  key: MemberKey,
  unsigned: UnsignedEnvelope,
  domain?: Parameters<typeof typedEnvelopeDigest>[2],
  extraEntropy?: Uint8Array,
): Envelope {
  const { secp256k1 } = nobleSecp;
  const digest = typedEnvelopeDigest(unsigned, hashPayload(unsigned.payload), domain ?? {});
  const sig = secp256k1.sign(digest, hexToBytes(key.privateKey)!, {
    prehash: false,
    format: 'recovered',
    ...(extraEntropy ? { extraEntropy } : {}),
  });
  const out = new Uint8Array(65);
  out.set(sig.subarray(1), 0);
  out[64] = 27 + sig[0]!;
  return { ...unsigned, signature: bytesToHex(out) };
}
const nobleSecp = await import('@noble/curves/secp256k1.js');

// JSON round trip first: drops members set to undefined (how the cases below remove a field).
const wireOf = (e: unknown): string => canonicalize(JSON.parse(JSON.stringify(e)));

function withSignature(e: Envelope, mutate: (sig: Uint8Array) => Uint8Array): Envelope {
  return { ...e, signature: bytesToHex(mutate(hexToBytes(e.signature)!)) };
}

function highS(sig: Uint8Array): Uint8Array {
  let s = 0n;
  for (const b of sig.subarray(32, 64)) s = (s << 8n) | BigInt(b);
  let hs = SECP256K1_N - s;
  const out = sig.slice();
  for (let i = 63; i >= 32; i--) {
    out[i] = Number(hs & 0xffn);
    hs >>= 8n;
  }
  out[64] = out[64] === 27 ? 28 : 27;
  return out;
}

/** Nesting depth of a JSON value: the top-level object or array is 1; scalars add nothing. */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + Math.max(0, ...children.map(depthOf));
}

async function main(): Promise<void> {
  // --- canonicalize ----------------------------------------------------------------------------
  const canon: Array<[string, unknown]> = [
    ['object keys are sorted', { b: 1, a: 2, c: { z: true, y: null } }],
    [
      'keys sort by UTF-16 code units (RFC 8785 §3.2.3 example)',
      {
        '€': 'Euro Sign',
        '\r': 'Carriage Return',
        ﬂ: 'ligature',
        '1': 'One',
        '😀': 'emoji',
        '\u0080': 'Control',
        ö: 'Latin Small Letter O With Diaeresis',
      },
    ],
    [
      'numbers use ECMAScript serialization',
      { n: [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789012345680000, 9007199254740991, 4.5, 2e-3] },
    ],
    [
      'strings escape only quote, backslash and control characters',
      {
        s: 'quote " backslash \\ tab \t newline \n nul \u0000 unit-sep \u001f del \u007f line-sep \u2028 é 😀',
      },
    ],
    ['whitespace is removed and arrays keep their order', [3, 1, 2, { b: [], a: {} }]],
    ['scalars canonicalize as themselves', 'just a string'],
    ['literals true false null', [true, false, null]],
  ];
  for (const [description, value] of canon) {
    add('canonicalize', 'basic', {
      description,
      section: 'envelope.md#canonical-encoding',
      input: { value },
      expected: { canonical: canonicalize(value) },
    });
  }

  // --- payloadHash -----------------------------------------------------------------------------
  for (const [description, payload] of [
    ['empty payload', {}],
    ['payload hash does not depend on key order (a then b)', { a: 1, b: { d: [1, 2], c: 'x' } }],
    ['payload hash does not depend on key order (b then a)', { b: { c: 'x', d: [1, 2] }, a: 1 }],
    ['payload with non-ASCII text', { summary: 'Orakel ausgefallen — 价格 😀' }],
  ] as const) {
    add('payloadHash', 'basic', {
      description,
      section: 'envelope.md#payload-hash',
      input: { payload },
      expected: { hash: hashPayload(payload) },
    });
  }

  // --- typedDataDigest / sign / messageId ---------------------------------------------------------
  const plain = event(K1, 42);
  const scoped = attestation(K2, 7, 'approve');
  const vault = attestation(K2, 8, 'approve', true);
  for (const [name, u] of [
    ['envelope without scope (poolId and epoch zero, domain name and version only)', plain],
    ['pool envelope with scope', scoped],
    ['pool envelope with a vault domain (chainId and verifyingContract in the EIP-712 domain)', vault],
  ] as const) {
    add('typedDataDigest', 'basic', {
      description: name,
      section: 'envelope.md#typed-data',
      input: { envelope: u },
      expected: { digest: hashTypedEnvelope(u, hashPayload(u.payload)) },
    });
    const s = await signEnvelope({
      privateKey: name.startsWith('envelope without') ? K1.privateKey : K2.privateKey,
      unsigned: u,
      guard: createMemorySigningJournal(),
    });
    const wire = new TextDecoder().decode(s.wire);
    add('sign', 'basic', {
      description: `sign ${name}`,
      section: 'envelope.md#signing',
      input: { privateKey: name.startsWith('envelope without') ? K1.privateKey : K2.privateKey, unsigned: u },
      expected: { envelope: s.envelope, wire, messageId: s.messageId },
    });
    add('messageId', 'basic', {
      description: `message id of ${name}`,
      section: 'envelope.md#message-id',
      input: { wire },
      expected: { messageId: s.messageId },
    });
  }
  add('sign', 'basic', {
    description: 'sign with a second key and a later time',
    section: 'envelope.md#signing',
    input: { privateKey: K3.privateKey, unsigned: event(K3, 0, { issuedAt: T + 1 }) },
    expected: await (async () => {
      const s = await signEnvelope({
        privateKey: K3.privateKey,
        unsigned: event(K3, 0, { issuedAt: T + 1 }),
        guard: createMemorySigningJournal(),
      });
      return { envelope: s.envelope, wire: new TextDecoder().decode(s.wire), messageId: s.messageId };
    })(),
  });

  // --- verify ------------------------------------------------------------------------------------
  const good = await sign(K1, plain);
  const goodAtt = await sign(K2, scoped);
  const goodVault = await sign(K2, vault);
  const v = (
    suite: string,
    description: string,
    section: string,
    wire: string,
    expected: Record<string, unknown>,
    extra: { now?: number; config?: Record<string, unknown> } = {},
  ) =>
    add('verify', suite, {
      description,
      section: `envelope.md#${section}`,
      input: { wire, now: extra.now ?? T, config: { ...CONFIG, ...extra.config } },
      expected,
    });
  const accept = { outcome: 'accept' };
  const rej = (code: string) => ({ outcome: 'reject', code });
  const ign = (code: string) => ({ outcome: 'ignore', code });

  v('valid', 'valid envelope', 'verification', wireOf(good), accept);
  v('valid', 'valid pool envelope with scope', 'verification', wireOf(goodAtt), accept);
  v('valid', 'valid pool envelope with a vault domain', 'verification', wireOf(goodVault), accept);
  v(
    'decode',
    'issuer in lower case instead of EIP-55 is not canonical',
    'canonical-encoding',
    wireOf({ ...good, issuer: K1.address.toLowerCase() }),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'decode',
    'verifyingContract not in EIP-55 form is not canonical',
    'canonical-encoding',
    wireOf({ ...goodVault, domain: { chainId: 8453, verifyingContract: K3.address.toLowerCase() } }),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'valid',
    'signing an issuer given in lower case puts it on the wire in EIP-55 form',
    'canonical-encoding',
    wireOf(await sign(K1, event(K1, 43, { issuer: K1.address.toLowerCase() as `0x${string}` }))),
    accept,
  );
  v('valid', 'valid when the vault domain is the expected one', 'typed-data', wireOf(goodVault), accept, {
    config: { expectedDomain: { chainId: 8453, verifyingContract: VAULT } },
  });

  // decoding
  v('decode', 'larger than maxBytes', 'verification', wireOf(good), rej('ENVELOPE_TOO_LARGE'), {
    config: { maxBytes: 100 },
  });
  v('decode', 'not JSON', 'verification', '{"sfr":"1.0",', rej('ENVELOPE_MALFORMED'));
  v('decode', 'JSON but not an object', 'verification', '[1,2,3]', rej('ENVELOPE_MALFORMED'));
  v(
    'decode',
    'JSON with a lone surrogate escape',
    'canonical-encoding',
    '{"a":"\\ud800"}',
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'whitespace between tokens is not canonical',
    'canonical-encoding',
    JSON.stringify(good, null, 1),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'decode',
    'unsorted keys are not canonical',
    'canonical-encoding',
    JSON.stringify(Object.fromEntries(Object.entries(good).reverse())),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'decode',
    'a duplicated key is not canonical',
    'canonical-encoding',
    wireOf(good).replace('{"issuedAt":', '{"issuedAt":0,"issuedAt":'),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'decode',
    'escaped ASCII in a string is not canonical',
    'canonical-encoding',
    wireOf(good).replace('example-lend', 'example\\u002dlend'),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'decode',
    'a number written 1.0 is not canonical',
    'canonical-encoding',
    wireOf(good).replace('"seq":42', '"seq":42.0'),
    rej('ENVELOPE_NOT_CANONICAL'),
  );
  v(
    'decode',
    'newer major version',
    'versions',
    wireOf({ ...good, sfr: '2.0' }),
    ign('ENVELOPE_UNSUPPORTED_MAJOR'),
  );
  v(
    'decode',
    'newer minor version',
    'versions',
    wireOf({ ...good, sfr: '1.1' }),
    ign('ENVELOPE_UNSUPPORTED_MINOR'),
  );
  v(
    'decode',
    'newer minor version with an unknown envelope field is still IGNORE',
    'versions',
    wireOf({ ...good, sfr: '1.1', future: 1 }),
    ign('ENVELOPE_UNSUPPORTED_MINOR'),
  );
  v(
    'decode',
    'malformed version string',
    'data',
    wireOf({ ...good, sfr: '1.00' }),
    rej('ENVELOPE_MALFORMED'),
  );
  v('decode', 'missing sfr', 'versions', wireOf({ ...good, sfr: undefined }), rej('ENVELOPE_MALFORMED'));
  v(
    'decode',
    'sfr that is a number, not a string',
    'versions',
    wireOf({ ...good, sfr: 1 }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'sfr with three parts',
    'versions',
    wireOf({ ...good, sfr: '1.0.0' }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'sfr with a part above 999',
    'versions',
    wireOf({ ...good, sfr: '1000.0' }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'a malformed sfr is REJECTed even when other members are unknown',
    'versions',
    wireOf({ ...good, sfr: 'v2', future: 1 }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'another major with other envelope members missing is still IGNORE',
    'versions',
    wireOf({ sfr: '2.0', type: 'Anything' }),
    ign('ENVELOPE_UNSUPPORTED_MAJOR'),
  );
  v(
    'decode',
    'a JSON array is MALFORMED before any version rule',
    'versions',
    '["1.0"]',
    rej('ENVELOPE_MALFORMED'),
  );
  v('decode', 'unknown envelope field', 'data', wireOf({ ...good, extra: 1 }), rej('ENVELOPE_MALFORMED'));
  v(
    'decode',
    'missing signature',
    'data',
    wireOf({ ...good, signature: undefined }),
    rej('ENVELOPE_MALFORMED'),
  );
  v('decode', 'seq is not an integer', 'data', wireOf({ ...good, seq: 1.5 }), rej('ENVELOPE_MALFORMED'));
  v('decode', 'seq above 2^53-1', 'data', wireOf({ ...good, seq: 2 ** 53 }), rej('ENVELOPE_MALFORMED'));
  v(
    'decode',
    'issuer is not an address',
    'data',
    wireOf({ ...good, issuer: '0x1234' }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'payload is not an object',
    'data',
    wireOf({ ...good, payload: [] }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'poolId in upper-case hex',
    'data',
    wireOf({ ...goodAtt, scope: { poolId: POOL.toUpperCase().replace('0X', '0x'), epoch: 3 } }),
    rej('ENVELOPE_MALFORMED'),
  );
  v(
    'decode',
    'unknown payload type',
    'verification',
    wireOf({ ...good, type: 'Gossip' }),
    rej('ENVELOPE_UNKNOWN_TYPE'),
  );
  v(
    'decode',
    'pool message without scope',
    'verification',
    wireOf({ ...goodAtt, scope: undefined }),
    rej('ENVELOPE_SCOPE_MISMATCH'),
  );
  v(
    'decode',
    'scope on a message that is not pool-scoped',
    'verification',
    wireOf({ ...good, scope: { poolId: POOL, epoch: 0 } }),
    rej('ENVELOPE_SCOPE_MISMATCH'),
  );
  v(
    'decode',
    'domain on a message that is not pool-scoped',
    'verification',
    wireOf({ ...good, domain: { chainId: 1, verifyingContract: VAULT } }),
    rej('ENVELOPE_SCOPE_MISMATCH'),
  );
  v(
    'decode',
    'vault domain expected but absent',
    'typed-data',
    wireOf(goodAtt),
    rej('ENVELOPE_DOMAIN_MISMATCH'),
    { config: { expectedDomain: { chainId: 8453, verifyingContract: VAULT } } },
  );
  v(
    'decode',
    'vault domain of another chain than expected',
    'typed-data',
    wireOf(goodVault),
    rej('ENVELOPE_DOMAIN_MISMATCH'),
    { config: { expectedDomain: { chainId: 1, verifyingContract: VAULT } } },
  );

  v(
    'decode',
    'an expected vault domain does not apply to a type that cannot carry one',
    'verification',
    wireOf(good),
    accept,
    { config: { expectedDomain: { chainId: 8453, verifyingContract: VAULT } } },
  );
  v(
    'decode',
    'the expected vault address compares without regard to case',
    'verification',
    wireOf(goodVault),
    accept,
    { config: { expectedDomain: { chainId: 8453, verifyingContract: VAULT.toLowerCase() } } },
  );
  v(
    'decode',
    'no vault domain expected (null) but the pool envelope carries one',
    'verification',
    wireOf(goodVault),
    rej('ENVELOPE_DOMAIN_MISMATCH'),
    { config: { expectedDomain: null } },
  );
  v(
    'decode',
    'no vault domain expected (null) and the pool envelope carries none',
    'verification',
    wireOf(goodAtt),
    accept,
    { config: { expectedDomain: null } },
  );
  // Nesting: the envelope object is level 1; each object or array inside it adds one level.
  const nested = (levels: number): Record<string, unknown> => {
    let inner: Record<string, unknown> = {};
    for (let i = 1; i < levels; i++) inner = { n: inner };
    return inner;
  };
  // envelope (1) → payload (2) → 62 more objects = 64 levels.
  const deep64 = await sign(K1, event(K1, 44, { payload: nested(63) as UnsignedEnvelope['payload'] }));
  if (depthOf(JSON.parse(wireOf(deep64))) !== 64) throw new Error('expected 64 levels');
  v(
    'decode',
    'an envelope nested exactly 64 levels deep is accepted',
    'canonical-encoding',
    wireOf(deep64),
    accept,
  );
  const deep65 = wireOf(deep64).replace('"payload":', '"payload":{"n":').replace(',"seq":', '},"seq":');
  if (depthOf(JSON.parse(deep65)) !== 65) throw new Error('expected 65 levels');
  v(
    'decode',
    'an envelope nested 65 levels deep is MALFORMED',
    'canonical-encoding',
    deep65,
    rej('ENVELOPE_MALFORMED'),
  );

  // signatures
  v(
    'signature',
    'high-s signature (the malleable twin of a valid one)',
    'signature',
    wireOf(withSignature(good, highS)),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );
  v(
    'signature',
    'v = 0 instead of 27',
    'signature',
    wireOf(
      withSignature(good, (s) => {
        const o = s.slice();
        o[64] = o[64]! - 27;
        return o;
      }),
    ),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );
  v(
    'signature',
    'v = 29',
    'signature',
    wireOf(
      withSignature(good, (s) => {
        const o = s.slice();
        o[64] = 29;
        return o;
      }),
    ),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );
  v(
    'signature',
    '64-byte signature without v',
    'signature',
    wireOf(withSignature(good, (s) => s.slice(0, 64))),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );
  v(
    'signature',
    'r = 0',
    'signature',
    wireOf(
      withSignature(good, (s) => {
        const o = s.slice();
        o.fill(0, 0, 32);
        return o;
      }),
    ),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );
  v(
    'signature',
    'signature in upper-case hex',
    'signature',
    wireOf({ ...good, signature: `0x${good.signature.slice(2).toUpperCase()}` }),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );
  v(
    'signature',
    'flipped recovery bit recovers another key',
    'signature',
    wireOf(
      withSignature(good, (s) => {
        const o = s.slice();
        o[64] = o[64] === 27 ? 28 : 27;
        return o;
      }),
    ),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  v(
    'signature',
    'wrong issuer: signed by another key',
    'signature',
    wireOf(signRaw(K2, plain)),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  v(
    'signature',
    'wrong domain name',
    'typed-data',
    wireOf(signRaw(K1, plain, { domain: { name: 'SFX', version: '1' } })),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  v(
    'signature',
    'wrong domain version (the full sfr string instead of the MAJOR)',
    'typed-data',
    wireOf(signRaw(K1, plain, { domain: { name: 'SFR', version: '1.0' } })),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  v(
    'signature',
    'wrong chain: signed for chain 1, envelope says 8453',
    'typed-data',
    wireOf(
      signRaw(K2, vault, { domain: { name: 'SFR', version: '1', chainId: 1, verifyingContract: VAULT } }),
    ),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  v(
    'signature',
    'vault envelope signed without the chain in the domain',
    'typed-data',
    wireOf(signRaw(K2, vault, { domain: { name: 'SFR', version: '1' } })),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  const tamper: Array<[string, Envelope, unknown]> = [
    ['tampered header: type', good, { ...good, type: 'ContagionAlert' }],
    ['tampered header: issuer', good, { ...good, issuer: K2.address }],
    ['tampered header: seq', good, { ...good, seq: 43 }],
    ['tampered header: issuedAt', good, { ...good, issuedAt: T + 1 }],
    [
      'tampered header: scope.poolId',
      goodAtt,
      { ...goodAtt, scope: { poolId: `0x${'22'.repeat(32)}`, epoch: 3 } },
    ],
    ['tampered header: scope.epoch', goodAtt, { ...goodAtt, scope: { poolId: POOL, epoch: 4 } }],
    [
      'tampered header: domain.chainId',
      goodVault,
      { ...goodVault, domain: { chainId: 1, verifyingContract: VAULT } },
    ],
    [
      'tampered header: domain.verifyingContract',
      goodVault,
      { ...goodVault, domain: { chainId: 8453, verifyingContract: K3.address } },
    ],
    ['tampered header: domain removed', goodVault, { ...goodVault, domain: undefined }],
    ['tampered payload: changed value', good, { ...good, payload: { ...good.payload, note: 'event 41' } }],
    ['tampered payload: added field', good, { ...good, payload: { ...good.payload, extra: true } }],
    [
      'tampered payload: attestation verdict',
      goodAtt,
      { ...goodAtt, payload: { ...goodAtt.payload, verdict: 'reject' } },
    ],
  ];
  for (const [description, , t] of tamper)
    v('signature', description, 'signature', wireOf(t), rej('ENVELOPE_BAD_SIGNATURE'));
  v(
    'signature',
    'contract (ERC-1271) member without a chain configured',
    'erc-1271-members',
    wireOf(good),
    ign('ENVELOPE_ERC1271_UNVERIFIABLE'),
    { config: { contractMembers: [K1.address] } },
  );

  const contractSig = (bytes: number) => `0x${'ab'.repeat(bytes)}` as const;
  v(
    'signature',
    'contract member: a 1 300-byte signature is well encoded and, without a chain, unverifiable',
    'erc-1271-members',
    wireOf({ ...good, signature: contractSig(1300) }),
    ign('ENVELOPE_ERC1271_UNVERIFIABLE'),
    { config: { contractMembers: [K1.address] } },
  );
  v(
    'signature',
    'contract member: an empty signature (a pre-approved message) is well encoded',
    'erc-1271-members',
    wireOf({ ...good, signature: '0x' }),
    ign('ENVELOPE_ERC1271_UNVERIFIABLE'),
    { config: { contractMembers: [K1.address] } },
  );
  v(
    'signature',
    'contract member: a signature longer than 1 300 bytes is badly encoded',
    'erc-1271-members',
    wireOf({ ...good, signature: contractSig(1301) }),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
    { config: { contractMembers: [K1.address] } },
  );
  v(
    'signature',
    'contract member: upper-case hex is badly encoded before the chain would be asked',
    'erc-1271-members',
    wireOf({ ...good, signature: contractSig(65).toUpperCase().replace('0X', '0x') }),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
    { config: { contractMembers: [K1.address] } },
  );
  v(
    'signature',
    "an EOA member's 130-byte signature is badly encoded",
    'signature',
    wireOf({ ...good, signature: contractSig(130) }),
    rej('ENVELOPE_BAD_SIGNATURE_ENCODING'),
  );

  // time
  v('time', 'issuedAt exactly skewMs ahead is accepted', 'time', wireOf(good), accept, { now: T - 10_000 });
  v('time', 'issuedAt more than skewMs ahead', 'time', wireOf(good), ign('ENVELOPE_FROM_FUTURE'), {
    now: T - 10_001,
  });
  v(
    'time',
    'issuedAt exactly 2·skewMs ahead is still only early',
    'time',
    wireOf(good),
    ign('ENVELOPE_FROM_FUTURE'),
    {
      now: T - 20_000,
    },
  );
  v(
    'time',
    'issuedAt more than 2·skewMs ahead: no honest relayer accepted it',
    'time',
    wireOf(good),
    rej('ENVELOPE_FAR_FUTURE'),
    {
      now: T - 20_001,
    },
  );
  v('time', 'issuedAt exactly maxAgeMs + skewMs old is accepted', 'time', wireOf(good), accept, {
    now: T + 310_000,
  });
  v('time', 'issuedAt older than maxAgeMs + skewMs', 'time', wireOf(good), ign('ENVELOPE_TOO_OLD'), {
    now: T + 310_001,
  });
  v(
    'time',
    'issuedAt exactly maxAgeMs + 2·skewMs old is still only too old',
    'time',
    wireOf(good),
    ign('ENVELOPE_TOO_OLD'),
    {
      now: T + 320_000,
    },
  );
  v(
    'time',
    'issuedAt older than maxAgeMs + 2·skewMs: no honest relayer still relays it',
    'time',
    wireOf(good),
    rej('ENVELOPE_EXPIRED'),
    {
      now: T + 320_001,
    },
  );
  v(
    'time',
    'a far-future message with a bad signature is REJECTed for its time before the signature is checked',
    'verification',
    wireOf(signRaw(K2, event(K1, 1, { issuedAt: T + 3_600_000 }))),
    rej('ENVELOPE_FAR_FUTURE'),
  );
  v(
    'time',
    'an early message with a bad signature is IGNOREd before the signature is checked',
    'verification',
    wireOf(signRaw(K2, event(K1, 1, { issuedAt: T + 15_000 }))),
    ign('ENVELOPE_FROM_FUTURE'),
  );

  // evidence
  const e1 = await sign(
    K1,
    event(K1, 50, { payload: { kind: 'resume', protocol: 'example-lend', note: 'a' } }),
  );
  const e2 = await sign(
    K1,
    event(K1, 50, { payload: { kind: 'resume', protocol: 'example-lend', note: 'b' } }),
  );
  const id = (e: Envelope) => messageIdOf(enc.encode(wireOf(e)));
  const [lo, hi] = id(e1) < id(e2) ? [e1, e2] : [e2, e1];
  const a1 = await sign(K2, attestation(K2, 60, 'approve'));
  const a2 = await sign(K2, attestation(K2, 61, 'reject'));
  const [alo, ahi] = id(a1) < id(a2) ? [a1, a2] : [a2, a1];
  const evidenceEnvelope = async (seq: number, payload: EquivocationEvidence | Record<string, unknown>) =>
    sign(K3, {
      sfr: '1.0',
      type: 'EquivocationEvidence',
      issuer: K3.address,
      seq,
      issuedAt: T,
      payload: payload as never,
    });
  v(
    'evidence',
    'evidence of a duplicate seq',
    'equivocation',
    wireOf(
      await evidenceEnvelope(1, { offense: 'duplicate_seq', offender: K1.address, first: lo, second: hi }),
    ),
    accept,
  );
  v(
    'evidence',
    'evidence of conflicting attestations',
    'equivocation',
    wireOf(
      await evidenceEnvelope(2, {
        offense: 'conflicting_attestation',
        offender: K2.address,
        first: alo,
        second: ahi,
      }),
    ),
    accept,
  );
  v(
    'evidence',
    'evidence with the envelopes in the wrong order',
    'equivocation',
    wireOf(
      await evidenceEnvelope(3, { offense: 'duplicate_seq', offender: K1.address, first: hi, second: lo }),
    ),
    rej('ENVELOPE_EVIDENCE_INVALID'),
  );
  v(
    'evidence',
    'evidence naming the wrong offense',
    'equivocation',
    wireOf(
      await evidenceEnvelope(4, {
        offense: 'conflicting_attestation',
        offender: K1.address,
        first: lo,
        second: hi,
      }),
    ),
    rej('ENVELOPE_EVIDENCE_INVALID'),
  );
  v(
    'evidence',
    'evidence naming the wrong offender',
    'equivocation',
    wireOf(
      await evidenceEnvelope(5, { offense: 'duplicate_seq', offender: K2.address, first: lo, second: hi }),
    ),
    rej('ENVELOPE_EVIDENCE_INVALID'),
  );
  const tamperedHi = { ...hi, payload: { ...hi.payload, note: 'c' } };
  const [tlo, thi] = id(lo) < id(tamperedHi) ? [lo, tamperedHi] : [tamperedHi, lo];
  v(
    'evidence',
    'evidence whose second envelope has a bad signature',
    'equivocation',
    wireOf(
      await evidenceEnvelope(6, { offense: 'duplicate_seq', offender: K1.address, first: tlo, second: thi }),
    ),
    rej('ENVELOPE_EVIDENCE_INVALID'),
  );
  const other = await sign(K1, event(K1, 51));
  const [olo, ohi] = id(lo) < id(other) ? [lo, other] : [other, lo];
  v(
    'evidence',
    'evidence of two envelopes that do not conflict',
    'equivocation',
    wireOf(
      await evidenceEnvelope(7, { offense: 'duplicate_seq', offender: K1.address, first: olo, second: ohi }),
    ),
    rej('ENVELOPE_EVIDENCE_INVALID'),
  );

  // --- ingest ------------------------------------------------------------------------------------
  const ing = (
    suite: string,
    description: string,
    section: string,
    steps: Array<[unknown, number]>,
    results: Array<Record<string, unknown>>,
    config: Record<string, unknown> = {},
  ) =>
    add('ingest', suite, {
      description,
      section: `envelope.md#${section}`,
      input: {
        config: { ...CONFIG, ...config },
        steps: steps.map(([e, now]) => ({ wire: typeof e === 'string' ? e : wireOf(e), now })),
      },
      expected: { results },
    });
  const s1 = await sign(K1, event(K1, 1));
  const s2 = await sign(K1, event(K1, 2));
  const s3 = await sign(K1, event(K1, 3));
  const s2b = await sign(
    K1,
    event(K1, 2, { payload: { kind: 'resume', protocol: 'example-lend', note: 'other' } }),
  );
  const t1 = await sign(K2, event(K2, 1));
  ing(
    'replay',
    'increasing seqs are accepted',
    'replay',
    [
      [s1, T],
      [s2, T],
      [s3, T],
    ],
    [accept, accept, accept],
  );
  ing(
    'replay',
    'the same message twice is a duplicate',
    'replay',
    [
      [s1, T],
      [s1, T + 1000],
    ],
    [accept, ign('ENVELOPE_DUPLICATE')],
  );
  ing(
    'replay',
    'a replay after the seen-cache lifetime falls outside the time window and is provably not an honest relay',
    'replay',
    [
      [s1, T],
      [s1, T + 320_001],
    ],
    [accept, rej('ENVELOPE_EXPIRED')],
  );
  ing(
    'replay',
    'a replay just inside the time window is still a duplicate',
    'replay',
    [
      [s1, T - 10_000],
      [s1, T + 310_000],
    ],
    [accept, ign('ENVELOPE_DUPLICATE')],
  );
  ing(
    'replay',
    'a lower seq after a higher one is accepted: gossip reorders, and the slot check catches repeats',
    'replay',
    [
      [s3, T],
      [s2, T],
    ],
    [accept, accept],
  );
  ing(
    'replay',
    'a seq whose slot a bounded state forgot early is stale',
    'replay',
    [
      [s1, T],
      [s3, T],
      [s1, T],
      [s2, T],
    ],
    [accept, accept, ign('ENVELOPE_SEQ_STALE'), accept],
    { maxEntries: 1 },
  );
  ing(
    'replay',
    'the high-s twin of an accepted message is REJECTed for its encoding before the slot is looked at',
    'verification',
    [
      [s1, T],
      [withSignature(s1, highS), T],
    ],
    [accept, rej('ENVELOPE_BAD_SIGNATURE_ENCODING')],
  );
  ing(
    'replay',
    'seqs are per issuer',
    'replay',
    [
      [s3, T],
      [t1, T],
    ],
    [accept, accept],
  );
  ing(
    'replay',
    'gaps in seq are allowed',
    'replay',
    [
      [s1, T],
      [s3, T],
    ],
    [accept, accept],
  );
  ing(
    'replay',
    'a bad message does not enter the seen-cache',
    'replay',
    [
      [withSignature(s1, highS), T],
      [s1, T],
    ],
    [rej('ENVELOPE_BAD_SIGNATURE_ENCODING'), accept],
  );
  ing(
    'replay',
    'a message from the future is accepted once the clock catches up',
    'time',
    [
      [await sign(K1, event(K1, 9, { issuedAt: T + 15_000 })), T],
      [await sign(K1, event(K1, 9, { issuedAt: T + 15_000 })), T + 5_000],
    ],
    [ign('ENVELOPE_FROM_FUTURE'), accept],
  );
  const s2again = signRaw(K1, event(K1, 2), undefined, new Uint8Array(32).fill(7));
  if (s2again.signature === s2.signature) throw new Error('expected a different nonce');
  ing(
    'equivocation',
    'the same content signed again with another nonce is a duplicate, not equivocation',
    'equivocation',
    [
      [s2, T],
      [s2again, T],
    ],
    [accept, ign('ENVELOPE_DUPLICATE')],
  );
  v(
    'evidence',
    'evidence of one content signed twice is not equivocation',
    'equivocation',
    wireOf(
      await evidenceEnvelope(8, {
        offense: 'duplicate_seq',
        offender: K1.address,
        first: id(s2) < id(s2again) ? s2 : s2again,
        second: id(s2) < id(s2again) ? s2again : s2,
      }),
    ),
    rej('ENVELOPE_EVIDENCE_INVALID'),
  );
  ing(
    'equivocation',
    'two messages with the same issuer and seq',
    'equivocation',
    [
      [s2, T],
      [s2b, T],
    ],
    [accept, ign('ENVELOPE_EQUIVOCATION')],
  );
  ing(
    'equivocation',
    'equivocation is detected below the highest seq too',
    'equivocation',
    [
      [s2, T],
      [s3, T],
      [s2b, T],
    ],
    [accept, accept, ign('ENVELOPE_EQUIVOCATION')],
  );
  ing(
    'equivocation',
    'the equivocating message repeated is a duplicate',
    'equivocation',
    [
      [s2, T],
      [s2b, T],
      [s2b, T],
    ],
    [accept, ign('ENVELOPE_EQUIVOCATION'), ign('ENVELOPE_DUPLICATE')],
  );
  ing(
    'equivocation',
    'two conflicting attestations for the same claim and round',
    'equivocation',
    [
      [a1, T],
      [a2, T],
    ],
    [accept, ign('ENVELOPE_EQUIVOCATION')],
  );
  const a3 = await sign(K2, {
    ...attestation(K2, 62, 'approve'),
    payload: { ...attestation(K2, 62, 'approve').payload, round: 2 },
  });
  ing(
    'equivocation',
    'attestations for different rounds do not conflict',
    'equivocation',
    [
      [a1, T],
      [a3, T],
    ],
    [accept, accept],
  );
  ing(
    'equivocation',
    'a forged second message is a bad signature, not equivocation',
    'equivocation',
    [
      [s2, T],
      [signRaw(K2, event(K1, 2, { payload: { kind: 'resume', protocol: 'x', note: 'forged' } })), T],
    ],
    [accept, rej('ENVELOPE_BAD_SIGNATURE')],
  );

  // rotation: K1 announces K4 as its key from seq 10 on.
  const announce = (seq: number, signer: MemberKey, from: number, rotated = false) =>
    sign(
      signer,
      {
        sfr: '1.0',
        type: 'NodeAnnouncement',
        issuer: K1.address,
        seq,
        issuedAt: T,
        payload: {
          peerId: '12D3KooWExamplePeer',
          member: K1.address,
          keyRotation: { newKey: K4.address, effectiveFromSeq: from },
        },
      },
      rotated,
    );
  const rot = await announce(5, K1, 10);
  const byNew = await sign(K4, event(K1, 10), true);
  const byOldAfter = await sign(K1, event(K1, 11));
  const byNewBefore = await sign(K4, event(K1, 6), true);
  ing(
    'rotation',
    'after a rotation the new key signs from effectiveFromSeq',
    'keys',
    [
      [rot, T],
      [byNew, T],
    ],
    [accept, accept],
  );
  ing(
    'rotation',
    'after a rotation the old key no longer signs',
    'keys',
    [
      [rot, T],
      [byOldAfter, T],
    ],
    [accept, rej('ENVELOPE_BAD_SIGNATURE')],
  );
  ing(
    'rotation',
    'before effectiveFromSeq the new key does not sign yet',
    'keys',
    [
      [rot, T],
      [byNewBefore, T],
    ],
    [accept, rej('ENVELOPE_BAD_SIGNATURE')],
  );
  ing(
    'rotation',
    'without the rotation the new key is not the member key',
    'keys',
    [[byNew, T]],
    [rej('ENVELOPE_BAD_SIGNATURE')],
  );
  ing(
    'rotation',
    'a rotation effective at or before its own seq is refused',
    'keys',
    [[await announce(12, K1, 12), T]],
    [rej('ENVELOPE_BAD_ROTATION')],
  );
  const early = await announce(6, K1, 8);
  ing(
    'rotation',
    'a second rotation must take effect after the first',
    'keys',
    [
      [rot, T],
      [early, T],
    ],
    [accept, rej('ENVELOPE_BAD_ROTATION')],
  );
  v(
    'rotation',
    'verify: the same second rotation alone is well formed (its order needs replay state)',
    'harness',
    wireOf(early),
    accept,
  );
  v(
    'rotation',
    'verify: a rotation effective at its own seq is refused without replay state',
    'keys',
    wireOf(await announce(12, K1, 12)),
    rej('ENVELOPE_BAD_ROTATION'),
  );
  v(
    'rotation',
    'verify: a rotation whose newKey is not an address is refused',
    'keys',
    wireOf(
      await sign(K1, {
        sfr: '1.0',
        type: 'NodeAnnouncement',
        issuer: K1.address,
        seq: 5,
        issuedAt: T,
        payload: {
          peerId: '12D3KooWExamplePeer',
          member: K1.address,
          keyRotation: { newKey: '0x1234', effectiveFromSeq: 10 },
        },
      }),
    ),
    rej('ENVELOPE_BAD_ROTATION'),
  );
  v(
    'rotation',
    "verify: a message signed by a rotated key is the old key's forgery without replay state",
    'harness',
    wireOf(byNew),
    rej('ENVELOPE_BAD_SIGNATURE'),
  );
  ing(
    'rotation',
    "a REJECT is not remembered: the new key's message refused before the rotation is accepted after it",
    'replay',
    [
      [byNew, T],
      [rot, T],
      [byNew, T],
    ],
    [rej('ENVELOPE_BAD_SIGNATURE'), accept, accept],
  );
  ing(
    'rotation',
    'the new key keeps signing after the rotation and the old key is refused at every later seq',
    'keys',
    [
      [rot, T],
      [byNew, T],
      [await sign(K4, event(K1, 12), true), T],
      [await sign(K1, event(K1, 13)), T],
    ],
    [accept, accept, accept, rej('ENVELOPE_BAD_SIGNATURE')],
  );

  // --- write -------------------------------------------------------------------------------------
  const wanted = new Map<string, string>();
  for (const { handler, suite, cases } of files.values()) {
    const seen = new Set<string>();
    for (const c of cases) {
      if (seen.has(c.description))
        throw new Error(`duplicate description in ${handler}/${suite}: ${c.description}`);
      seen.add(c.description);
      // Self-check: the reference harness must pass the case it is about to write.
      const response = await handleRequest(JSON.stringify({ id: 1, op: handler, ...c.input }));
      if (!('result' in response))
        throw new Error(`${handler}/${suite} "${c.description}": ${JSON.stringify(response)}`);
      for (const [k, want] of Object.entries(c.expected)) {
        if (canonicalize(response.result[k] ?? null) !== canonicalize(want)) {
          throw new Error(
            `${handler}/${suite} "${c.description}": ${k} = ${JSON.stringify(response.result[k])}, expected ${JSON.stringify(want)}`,
          );
        }
      }
    }
    const body = { runner: 'envelope', handler, suite, cases };
    wanted.set(path.join(outDir, handler, `${suite}.json`), `${JSON.stringify(body, null, 2)}\n`);
  }
  let changed = 0;
  const existing = new Set<string>();
  try {
    for (const h of readdirSync(outDir))
      for (const f of readdirSync(path.join(outDir, h))) existing.add(path.join(outDir, h, f));
  } catch {
    // no vectors yet
  }
  for (const [file, text] of wanted) {
    let old: string | null = null;
    try {
      old = readFileSync(file, 'utf8');
    } catch {
      // new file
    }
    if (old !== text) {
      changed++;
      console.log(`${check ? 'would change' : 'wrote'} ${path.relative(root, file)}`);
      if (!check) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    }
  }
  for (const file of existing) {
    if (!wanted.has(file)) {
      changed++;
      console.log(`${check ? 'would remove' : 'removed'} ${path.relative(root, file)}`);
      if (!check) rmSync(file);
    }
  }
  const total = [...files.values()].reduce((n, f) => n + f.cases.length, 0);
  console.log(
    `${files.size} files, ${total} cases, ${changed} changed (backend ${JSON.stringify(getCryptoBackend())})`,
  );
  if (check && changed > 0) process.exitCode = 1;
}

await main();
