// The EIP-712 pieces: a Web3Signer signs keccak256(data), so it is sent the encoded message itself.

import {
  getTypesForEIP712Domain,
  hashStruct,
  hashDomain as hashTypedDomain,
  type LocalAccount,
  parseSignature,
  serializeTransaction,
  type TypedDataDefinition,
  toPrefixedMessage,
  hexToBytes as viemHexToBytes,
} from 'viem';
import { toAccount } from 'viem/accounts';
import { hashDomain, hashEnvelopeStruct } from '../envelope/hashTypedEnvelope.js';
import {
  type Address,
  bytesToHex,
  canonicalize,
  domainOf,
  type Envelope,
  type Hex,
  hashPayload,
  hexToBytes,
  keccak256,
  messageIdOf,
  recoverSigner,
  signatureEncodingError,
  slotsOf,
  toChecksumAddress,
  type UnsignedEnvelope,
} from '../envelope/index.js';
import { KeyError } from './keyError.js';
import { createSignNext, type MemberSigner, type SignOne } from './memberSigner.js';

/** [sfr] A signer that has not answered in 5 s is treated as down (Web3Signer signs in ~1 ms). */
export const DEFAULT_REMOTE_SIGNER_TIMEOUT_MS = 5_000;

export type RemoteSignerParameters = {
  /** Base URL of the Web3Signer (eth1 mode), e.g. `http://127.0.0.1:9000`. */
  readonly url: string;
  /** The key's identifier at the signer: its secp256k1 public key, `0x` + 128 hex (or 130 with `04`). */
  readonly publicKey: string;
  /** The member the key signs for; default the key's own address (a rotated key names the member). */
  readonly member?: string;
  readonly timeoutMs?: number;
};

const textEncoder = new TextEncoder();

/** The address of an uncompressed secp256k1 public key given as Web3Signer names it. */
export function addressOfSignerKey(publicKey: string): Address {
  const hex = publicKey.toLowerCase().replace(/^0x/, '');
  const raw = hex.length === 130 && hex.startsWith('04') ? hex.slice(2) : hex;
  if (!/^[0-9a-f]{128}$/.test(raw)) {
    throw new KeyError('KEY_SIGNER_UNKNOWN_KEY', 'remoteSigner.publicKey is not a secp256k1 public key', {
      details: 'expected 0x + 128 hex digits (uncompressed, without the 04 prefix), as Web3Signer lists it',
      section: 'node.md#remote-signer',
    });
  }
  return toChecksumAddress(bytesToHex(keccak256(hexToBytes(`0x${raw}`)!).subarray(12)));
}

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    const name = (cause as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new KeyError('KEY_SIGNER_TIMEOUT', `the remote signer did not answer within ${timeoutMs} ms`, {
        details: url,
        section: 'node.md#remote-signer',
        cause,
      });
    }
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    const code = inner?.code ?? inner?.message ?? 'unreachable';
    throw new KeyError('KEY_SIGNER_UNAVAILABLE', `cannot reach the remote signer (${code})`, {
      details: url,
      section: 'node.md#remote-signer',
      cause,
    });
  }
}

/** Normalizes an unsigned envelope as signing does (EIP-55 header addresses, no `undefined` members). */
function normalize(u: UnsignedEnvelope): UnsignedEnvelope {
  return {
    sfr: u.sfr,
    type: u.type,
    issuer: toChecksumAddress(u.issuer),
    seq: u.seq,
    issuedAt: u.issuedAt,
    ...(u.scope === undefined ? {} : { scope: u.scope }),
    ...(u.domain === undefined
      ? {}
      : { domain: { ...u.domain, verifyingContract: toChecksumAddress(u.domain.verifyingContract) } }),
    payload: u.payload,
  };
}

/**
 * A member signer that holds no key: each envelope's EIP-712 message (`0x1901 ‖ domainSeparator ‖
 * hashStruct(Envelope)`) is sent to a Web3Signer's `POST /api/v1/eth1/sign/{publicKey}`, which
 * signs its keccak256 — the envelope digest. The signature is checked (canonical, recovers to the
 * configured key) before the slot is journaled, so a signer that is down, slow or answers for
 * another key fails with a `KEY_SIGNER_*` code and leaves the sequence number unused.
 * Checks at creation that the signer lists the key.
 */
export async function createRemoteSigner(p: RemoteSignerParameters): Promise<MemberSigner> {
  const base = p.url.replace(/\/+$/, '');
  const timeoutMs = p.timeoutMs ?? DEFAULT_REMOTE_SIGNER_TIMEOUT_MS;
  const key = addressOfSignerKey(p.publicKey);
  const identifier = `0x${p.publicKey
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^04(?=[0-9a-f]{128}$)/, '')}`;
  const member = toChecksumAddress(p.member ?? key);

  const listed = await call(`${base}/api/v1/eth1/publicKeys`, { method: 'GET' }, timeoutMs);
  if (!listed.ok) {
    throw new KeyError(
      'KEY_SIGNER_UNAVAILABLE',
      `the remote signer answered ${listed.status} to publicKeys`,
      {
        details: base,
        section: 'node.md#remote-signer',
      },
    );
  }
  const keys = ((await listed.json().catch(() => [])) as unknown[]).map((k) =>
    typeof k === 'string' ? `0x${k.toLowerCase().replace(/^0x/, '')}` : '',
  );
  if (!keys.includes(identifier)) {
    throw new KeyError('KEY_SIGNER_UNKNOWN_KEY', `the remote signer does not hold the key of ${key}`, {
      details: `${base} lists ${keys.length} key(s)`,
      section: 'node.md#remote-signer',
    });
  }

  /**
   * Has the signer sign keccak256(`message`) and checks the answer: canonical, recovering to the
   * configured key. Every signature of this signer (envelopes, transactions, vault typed data) goes
   * through it.
   */
  const signPreimage = async (message: Uint8Array): Promise<Uint8Array> => {
    const digest = keccak256(message);
    const res = await call(
      `${base}/api/v1/eth1/sign/${identifier}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/plain' },
        body: JSON.stringify({ data: bytesToHex(message) }),
      },
      timeoutMs,
    );
    const text = (await res.text().catch(() => '')).trim();
    if (res.status === 404) {
      throw new KeyError('KEY_SIGNER_UNKNOWN_KEY', `the remote signer no longer holds the key of ${key}`, {
        section: 'node.md#remote-signer',
      });
    }
    if (!res.ok) {
      throw new KeyError('KEY_SIGNER_UNAVAILABLE', `the remote signer answered ${res.status}`, {
        details: base,
        section: 'node.md#remote-signer',
      });
    }
    const sig = (/^0x[0-9a-fA-F]{130}$/.test(text) ? hexToBytes(text as Hex) : null) ?? new Uint8Array(0);
    if (sig.length === 65 && sig[64]! < 27) sig[64] = sig[64]! + 27; // some signers answer v ∈ {0, 1}
    const encoding = signatureEncodingError(sig);
    const signer = encoding === null ? recoverSigner(digest, sig) : null;
    if (signer === null || signer.toLowerCase() !== key.toLowerCase()) {
      throw new KeyError(
        'KEY_SIGNER_WRONG_KEY',
        'the remote signer returned a signature that is not by the configured key',
        {
          details: encoding ?? `recovered ${signer ?? 'nothing'}, expected ${key}`,
          section: 'node.md#remote-signer',
        },
      );
    }
    return sig;
  };

  const signOne: SignOne = async (raw, journal) => {
    const unsigned = normalize(raw);
    const message = new Uint8Array(66);
    message[0] = 0x19;
    message[1] = 0x01;
    message.set(hashDomain(domainOf(unsigned)), 2);
    message.set(hashEnvelopeStruct(unsigned, hashPayload(unsigned.payload)), 34);
    const sig = await signPreimage(message);
    const digestHex = bytesToHex(keccak256(message));
    for (const slot of slotsOf(unsigned)) await journal.reserve(slot, digestHex, unsigned);
    const envelope: Envelope = { ...unsigned, signature: bytesToHex(sig) };
    const wire = textEncoder.encode(canonicalize(envelope));
    return { envelope, wire, messageId: messageIdOf(wire) };
  };

  // The key as a viem account (settlement.md#sending): a transaction's signing hash is keccak256 of
  // its unsigned serialization, typed data's of 0x1901 ‖ domain ‖ struct, so the signer signs each
  // pre-image exactly as it signs an envelope's.
  const account: LocalAccount = {
    ...toAccount({
      address: key,
      signMessage: async ({ message }) =>
        bytesToHex(await signPreimage(viemHexToBytes(toPrefixedMessage(message)))),
      signTransaction: async (tx, options) => {
        const serializer = options?.serializer ?? serializeTransaction;
        const sig = await signPreimage(viemHexToBytes(await serializer(tx)));
        return serializer(tx, parseSignature(bytesToHex(sig)));
      },
      signTypedData: async (typed) => {
        const t = typed as TypedDataDefinition;
        const types = { EIP712Domain: getTypesForEIP712Domain({ domain: t.domain }), ...t.types } as never;
        const message = new Uint8Array(66);
        message[0] = 0x19;
        message[1] = 0x01;
        message.set(viemHexToBytes(hashTypedDomain({ domain: (t.domain ?? {}) as never, types })), 2);
        message.set(
          viemHexToBytes(
            hashStruct({ data: t.message as never, primaryType: t.primaryType as never, types }),
          ),
          34,
        );
        return bytesToHex(await signPreimage(message));
      },
    }),
    source: 'remote-signer',
    publicKey: `0x04${identifier.slice(2)}` as Hex,
  } as LocalAccount;

  return {
    member,
    key,
    kind: 'remote',
    signNext: createSignNext(member, () => signOne),
    account: () => account,
  };
}
