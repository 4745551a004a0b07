import type { IgnoreCode, MessageType, RejectCode } from '@sfr/schemas';
import type { Address, EnvelopeDomain, EnvelopeScope, Hex } from '@sfr/schemas/types';

// Generated from the schemas (common.schema.json `$defs`, Envelope.schema.json): one definition each.
export type { Address, EnvelopeDomain, EnvelopeScope, Hex };

/** Any JSON value, as produced by `JSON.parse`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The signed header fields plus payload, before signing. */
export type UnsignedEnvelope = {
  sfr: string;
  type: MessageType | (string & {});
  issuer: Address;
  seq: number;
  issuedAt: number;
  scope?: EnvelopeScope;
  domain?: EnvelopeDomain;
  payload: JsonObject;
};

/** The wire envelope (spec/v1/envelope.md#data). */
export type Envelope = UnsignedEnvelope & { signature: Hex };

/** The fields covered by the EIP-712 `Envelope` struct, other than `payloadHash`. */
export type EnvelopeHeader = Pick<UnsignedEnvelope, 'sfr' | 'type' | 'issuer' | 'seq' | 'issuedAt'> & {
  scope?: EnvelopeScope | undefined;
  domain?: EnvelopeDomain | undefined;
};

/** Gossip verdict of a validation step (STYLE.md: values, not throws). */
export type Outcome = 'accept' | 'ignore' | 'reject';

export type Accept = { outcome: 'accept' };
/** `C`: a registered ignore or reject code (schemas/v1/registry/reason-codes; generated unions). */
export type Refusal<C extends IgnoreCode | RejectCode = IgnoreCode | RejectCode> = {
  outcome: 'ignore' | 'reject';
  code: C;
  meta?: Record<string, unknown>;
};
export type VerifyResult = Accept | Refusal;

/** A result for non-verdict operations (decode, key loading). */
export type Result<T> =
  | { ok: true; value: T }
  | { ok: false; code: string; message: string; meta?: Record<string, unknown> };
