/**
 * Validation verdicts (STYLE.md: values, not throws). `accept` relays, `ignore` drops without
 * penalty (may become valid later, duplicate, or our own trouble), `reject` drops and penalises the
 * sending peer (provably wrong).
 */
import type { IgnoreCode, RejectCode } from '@sfr/schemas';

export type Accept = { readonly outcome: 'accept' };
export type Refusal = {
  readonly outcome: 'ignore' | 'reject';
  /** A registered code of that outcome (schemas/v1/registry/reason-codes; generated unions). */
  readonly code: IgnoreCode | RejectCode;
  readonly meta?: Readonly<Record<string, unknown>>;
};
export type ValidationOutcome = Accept | Refusal;

export const ACCEPT: Accept = Object.freeze({ outcome: 'accept' });

export function ignore(code: IgnoreCode, meta?: Record<string, unknown>): Refusal {
  return meta === undefined ? { outcome: 'ignore', code } : { outcome: 'ignore', code, meta };
}

export function reject(code: RejectCode, meta?: Record<string, unknown>): Refusal {
  return meta === undefined ? { outcome: 'reject', code } : { outcome: 'reject', code, meta };
}
