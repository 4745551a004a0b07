import type { MessageId } from '@sfr/schemas';
import {
  canonicalize,
  checkEnvelopeSchema,
  type Envelope,
  type Hex,
  messageIdOf,
  verifyEnvelope,
} from '../envelope/index.js';
import type { PoolRefusal } from './codes.js';
import type { MessageInput, PoolMessage } from './types.js';

const utf8 = new TextEncoder();

/**
 * Check one message as the pool rules need it (pools.md#messages): the envelope rules of
 * envelope.md#verification without the time windows (time is the pool rules' business), the
 * payload schema of its type, and the signature. Never throws.
 */
export function readPoolMessage(
  input: MessageInput,
): { ok: true; message: PoolMessage } | { ok: false; refusal: PoolRefusal } {
  const value = typeof input === 'string' ? utf8.encode(input) : input;
  const r = verifyEnvelope(value, { now: 0, skipTimeChecks: true, checkSchema: checkEnvelopeSchema });
  if (r.outcome !== 'accept') {
    return { ok: false, refusal: { messageId: idOrNull(value), outcome: r.outcome, code: r.code } };
  }
  return { ok: true, message: { envelope: r.envelope, messageId: r.messageId } };
}

function idOrNull(value: Uint8Array | Envelope): MessageId | null {
  try {
    return messageIdOf(value instanceof Uint8Array ? value : utf8.encode(canonicalize(value)));
  } catch {
    return null;
  }
}

/** Canonical delivery-independent order of messages: (issuedAt, messageId) ascending. */
export function byTimeThenId(a: PoolMessage, b: PoolMessage): number {
  return (
    a.envelope.issuedAt - b.envelope.issuedAt ||
    (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0)
  );
}

export function byId(a: { messageId: Hex }, b: { messageId: Hex }): number {
  return a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0;
}
