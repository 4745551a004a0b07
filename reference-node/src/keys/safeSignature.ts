import {
  type Address,
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

/** One owner's signature, checked: who signed, and the bytes the Safe's blob carries for it. */
export type OwnerSignatureCheck =
  | { readonly ok: true; readonly owner: Address; readonly part: Uint8Array }
  | {
      readonly ok: false;
      readonly reason: 'malformed' | 'not-owner';
      readonly detail: string;
    };

/**
 * Checks one owner's 65-byte signature of a Safe message hash (node.md#multisig-members step 2):
 * canonical, and recovering to one of `owners` directly or through EIP-191 `personal_sign`, which
 * the blob marks with `v + 4` as the Safe expects.
 */
export function checkOwnerSignature(
  safeHash: Hex,
  signature: Hex,
  owners: readonly string[],
): OwnerSignatureCheck {
  const hash = hexToBytes(safeHash);
  if (hash === null || hash.length !== 32) throw new TypeError('safeHash must be 32 bytes');
  const sig = hexToBytes(signature);
  const encoding = sig === null ? 'not hex' : signatureEncodingError(sig);
  if (sig === null || encoding !== null)
    return { ok: false, reason: 'malformed', detail: encoding ?? 'not hex' };
  const isOwner = new Set(owners.map((o) => o.toLowerCase()));
  const direct = recoverSigner(hash, sig);
  if (direct !== null && isOwner.has(direct.toLowerCase()))
    return { ok: true, owner: toChecksumAddress(direct), part: sig };
  const viaEthSign = recoverSigner(ethSignedHash(hash), sig);
  if (viaEthSign !== null && isOwner.has(viaEthSign.toLowerCase())) {
    const part = sig.slice();
    part[64] = sig[64]! + 4;
    return { ok: true, owner: toChecksumAddress(viaEthSign), part };
  }
  return {
    ok: false,
    reason: 'not-owner',
    detail: `recovers to ${direct === null ? 'nothing' : toChecksumAddress(direct)} (or ${viaEthSign === null ? 'nothing' : toChecksumAddress(viaEthSign)} as EIP-191)`,
  };
}

/**
 * Assembles a Safe's ERC-1271 signature blob from its owners' signatures: each checked (canonical,
 * by an owner, no owner twice), ordered by ascending owner address, concatenated; an EIP-191 one
 * marked with `v + 4` as the Safe expects. At least `threshold` of them, else
 * `KEY_MULTISIG_INSUFFICIENT`, so the node never publishes a vote its Safe would refuse.
 */
export function buildSafeSignature(p: BuildSafeSignatureParameters): Hex {
  const hash = safeMessageHash(p);
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
    const checked = checkOwnerSignature(hash, hex, p.owners);
    if (!checked.ok) {
      throw refuse(
        checked.reason === 'malformed'
          ? `signature ${i} is malformed (${checked.detail})`
          : `signature ${i} is not by an owner (${checked.detail})`,
      );
    }
    const owner = checked.owner.toLowerCase();
    if (byOwner.has(owner)) throw refuse(`owner ${checked.owner} signed twice`);
    byOwner.set(owner, checked.part);
  });
  if (byOwner.size < p.threshold)
    throw refuse(`${byOwner.size} owner signature(s), threshold ${p.threshold}`);
  const ordered = [...byOwner.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, sig]) => sig);
  return bytesToHex(concat(...ordered));
}
