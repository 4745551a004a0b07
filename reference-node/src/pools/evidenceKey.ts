import type { EvidenceRef } from '@sfr/schemas/types';

/**
 * The identity of a piece of evidence (pools.md#filing): a log is (chain, transaction, log index),
 * a call (chain, block hash, target, calldata); hashes and addresses compared case-insensitively.
 * A piece of evidence backs at most one claim of a pool, whatever its incident id.
 */
export function evidenceKey(ref: EvidenceRef): string {
  return ref.type === 'log'
    ? `log:${ref.chain}:${ref.txHash.toLowerCase()}:${ref.logIndex}`
    : `call:${ref.chain}:${ref.blockHash.toLowerCase()}:${ref.to.toLowerCase()}:${ref.data.toLowerCase()}`;
}
