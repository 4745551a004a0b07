import type { PoolCharter } from '@sfr/schemas/types';
import { type Hex, hashPayload } from '../envelope/index.js';

/**
 * The extension namespace a member's vault signature travels in: on a `ClaimDecision` its signature
 * of the settlement, on a `PoolCharter` its signature of the charter terms (settlement.md#client).
 */
export const SETTLEMENT_EXTENSION = 'sfr.settlement';

/**
 * The charter text a `PoolCharter` payload carries (pools.md#terminology): the payload without the
 * signer's own `sfr.settlement` extension (and without `extensions` when that was all it held), so
 * every member's signed copy of one text is the same text. The payload itself when it has none.
 */
export function charterText(payload: PoolCharter): PoolCharter {
  const ext = payload.extensions;
  if (ext === undefined || !(SETTLEMENT_EXTENSION in ext)) return payload;
  const { [SETTLEMENT_EXTENSION]: _signature, ...rest } = ext;
  const { extensions: _all, ...text } = payload;
  return Object.keys(rest).length === 0 ? text : { ...text, extensions: rest };
}

/** A charter text's identity: the payload hash of `charterText(payload)` (pools.md#terminology). */
export const charterTextHash = (payload: PoolCharter): Hex => hashPayload(charterText(payload)) as Hex;
