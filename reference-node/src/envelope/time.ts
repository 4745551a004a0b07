import type { Refusal } from './types.js';

/** Default clock-skew tolerance: NTP keeps honest hosts well within this (envelope.md#time). */
export const DEFAULT_SKEW_MS = 10_000;
/** Default maximum age on gossip: five minutes; older messages arrive by sync (envelope.md#time). */
export const DEFAULT_MAX_AGE_MS = 300_000;

/**
 * @rule 15 16 17 18 envelope.md#verification, by envelope.md#time: the acceptance window and the provably-wrong band around it. An honest relayer's
 * clock is within `skewMs` of ours, so it could only have accepted (and relayed) a message issued at
 * most `skewMs` ahead of its clock, i.e. `2·skewMs` ahead of ours; likewise it only relays a message
 * at most `maxAgeMs + skewMs` old by its clock, `maxAgeMs + 2·skewMs` by ours. Beyond those bounds the
 * message is REJECT (`ENVELOPE_FAR_FUTURE`, `ENVELOPE_EXPIRED`); between the window and those bounds it
 * is IGNORE (`ENVELOPE_FROM_FUTURE`, `ENVELOPE_TOO_OLD`). Pass `maxAgeMs: undefined` to skip the past
 * side (catch-up sync carries old messages).
 */
export function checkIssuedAt(
  issuedAt: number,
  now: number,
  skewMs: number,
  options: { maxAgeMs?: number | undefined },
): Refusal | null {
  if (issuedAt > now + skewMs) {
    return issuedAt > now + 2 * skewMs
      ? { outcome: 'reject', code: 'ENVELOPE_FAR_FUTURE', meta: { issuedAt, now } }
      : { outcome: 'ignore', code: 'ENVELOPE_FROM_FUTURE', meta: { issuedAt, now } };
  }
  const maxAgeMs = options.maxAgeMs;
  if (maxAgeMs !== undefined && issuedAt < now - maxAgeMs - skewMs) {
    return issuedAt < now - maxAgeMs - 2 * skewMs
      ? { outcome: 'reject', code: 'ENVELOPE_EXPIRED', meta: { issuedAt, now } }
      : { outcome: 'ignore', code: 'ENVELOPE_TOO_OLD', meta: { issuedAt, now } };
  }
  return null;
}
