import type { MessageId } from '@sfr/schemas';
import {
  canonicalize,
  checkEnvelopeSchema,
  type Envelope,
  type Hex,
  messageIdOf,
  precheckEnvelope,
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

/**
 * A pool message read back from the node's own store (pools.md#founding rule 3). The node stored it
 * only after the whole of envelope.md#verification accepted it, rule 24 included: a contract member's
 * signature asked of its contract (ERC-1271), a rotated key's by the node's key registry. This module
 * holds neither, so the signature is not checked again here (`readPoolMessage` would read every such
 * message as `ENVELOPE_BAD_SIGNATURE` and the pool rebuilt from the store would lack it); the bytes are
 * decoded and their structure checked. Never throws.
 */
export function readStoredPoolMessage(
  wire: Uint8Array,
): { ok: true; message: PoolMessage } | { ok: false; refusal: PoolRefusal } {
  try {
    const r = precheckEnvelope(wire, { now: 0, skipTimeChecks: true });
    if (r.outcome !== 'accept')
      return { ok: false, refusal: { messageId: idOrNull(wire), outcome: r.outcome, code: r.code } };
    return { ok: true, message: { envelope: r.envelope, messageId: messageIdOf(r.wire) } };
  } catch {
    return {
      ok: false,
      refusal: { messageId: idOrNull(wire), outcome: 'ignore', code: 'ENVELOPE_INTERNAL' },
    };
  }
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
