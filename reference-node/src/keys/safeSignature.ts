import {
  bytesToHex,
  type Hex,
  hexToBytes,
  keccak256,
  recoverSigner,
  signatureEncodingError,
  toChecksumAddress,
} from '../envelope/index.js';
import { KeyError } from './keyError.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
/** Safe: `keccak256("EIP712Domain(uint256 chainId,address verifyingContract)")`. */
const SAFE_DOMAIN_TYPEHASH = keccak256(utf8('EIP712Domain(uint256 chainId,address verifyingContract)'));
/** Safe's CompatibilityFallbackHandler: `keccak256("SafeMessage(bytes message)")`. */
const SAFE_MSG_TYPEHASH = keccak256(utf8('SafeMessage(bytes message)'));

function word(value: bigint | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(32);
    out.set(value, 32 - value.length);
    return out;
  }
  return hexToBytes(`0x${value.toString(16).padStart(64, '0')}`)!;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The hash a Safe's owners sign so that the Safe accepts `digest` through ERC-1271
 * (node.md#multisig-members): the Safe's EIP-712 `SafeMessage` over `abi.encode(digest)`.
 */
export function safeMessageHash(p: { chainId: number | bigint; safe: string; digest: Hex }): Hex {
  const digest = hexToBytes(p.digest);
  if (digest === null || digest.length !== 32) throw new TypeError('digest must be 32 bytes');
  const domain = keccak256(
    concat(SAFE_DOMAIN_TYPEHASH, word(BigInt(p.chainId)), word(hexToBytes(p.safe as Hex)!)),
  );
  const struct = keccak256(concat(SAFE_MSG_TYPEHASH, keccak256(digest)));
  return bytesToHex(keccak256(concat(new Uint8Array([0x19, 0x01]), domain, struct)));
}

const ethSignedHash = (hash: Uint8Array) => keccak256(concat(utf8('\x19Ethereum Signed Message:\n32'), hash));

export type BuildSafeSignatureParameters = {
  readonly chainId: number | bigint;
  readonly safe: string;
  /** The envelope digest the Safe is to accept (envelope.md#typed-data). */
  readonly digest: Hex;
  /** The Safe's owners and threshold (read from the chain by the caller: `getOwners`, `getThreshold`). */
  readonly owners: readonly string[];
  readonly threshold: number;
  /** Owners' 65-byte signatures of `safeMessageHash`, directly or in EIP-191 (`personal_sign`) form. */
  readonly signatures: readonly Hex[];
};

/**
 * Assembles a Safe's ERC-1271 signature blob from its owners' signatures: each checked (canonical,
 * by an owner, no owner twice), ordered by ascending owner address, concatenated; an EIP-191 one
 * marked with `v + 4` as the Safe expects. At least `threshold` of them, else
 * `KEY_MULTISIG_INSUFFICIENT`, so the node never publishes a vote its Safe would refuse.
 */
export function buildSafeSignature(p: BuildSafeSignatureParameters): Hex {
  const hash = hexToBytes(safeMessageHash(p))!;
  const owners = new Set(p.owners.map((o) => o.toLowerCase()));
  const refuse = (why: string) =>
    new KeyError(
      'KEY_MULTISIG_INSUFFICIENT',
      `cannot assemble the signature of Safe ${toChecksumAddress(p.safe)}: ${why}`,
      {
        section: 'node.md#multisig-members',
      },
    );
  const byOwner = new Map<string, Uint8Array>();
  p.signatures.forEach((hex, i) => {
    const sig = hexToBytes(hex);
    const encoding = sig === null ? 'not hex' : signatureEncodingError(sig);
    if (sig === null || encoding !== null) throw refuse(`signature ${i} is malformed (${encoding})`);
    let owner = recoverSigner(hash, sig);
    let out = sig;
    if (owner === null || !owners.has(owner.toLowerCase())) {
      const viaEthSign = recoverSigner(ethSignedHash(hash), sig);
      if (viaEthSign === null || !owners.has(viaEthSign.toLowerCase())) {
        throw refuse(`signature ${i} is not by an owner (recovers to ${owner ?? 'nothing'})`);
      }
      owner = viaEthSign;
      out = sig.slice();
      out[64] = sig[64]! + 4;
    }
    if (byOwner.has(owner.toLowerCase())) throw refuse(`owner ${toChecksumAddress(owner)} signed twice`);
    byOwner.set(owner.toLowerCase(), out);
  });
  if (byOwner.size < p.threshold)
    throw refuse(`${byOwner.size} owner signature(s), threshold ${p.threshold}`);
  const ordered = [...byOwner.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, sig]) => sig);
  return bytesToHex(concat(...ordered));
}
