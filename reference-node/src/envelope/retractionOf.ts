/**
 * The `sfr.retraction` extension of a RecoveryEvent (spec/v1/messages.md#retraction, proposal 0004):
 * the issuer voids one of its own earlier events, whose evidence a reorganisation removed.
 */
import { isMessageId, type MessageId } from '@sfr/schemas';

/** The extension namespace (versioning.md#extensions rule 4: admitted by proposal 0004). */
export const RETRACTION_NAMESPACE = 'sfr.retraction';

/**
 * The id a RecoveryEvent payload retracts, when it carries the `sfr.retraction` extension with a
 * well-formed `retracts`; undefined otherwise. Reading only: the gossip rules (envelope.md rule 33.4)
 * validate the extension before a message is stored, so readers of held messages may rely on it.
 */
export function retractedIdOf(payload: unknown): MessageId | undefined {
  const extension = retractionExtensionOf(payload);
  if (typeof extension !== 'object' || extension === null) return undefined;
  const retracts = (extension as Record<string, unknown>)['retracts'];
  return isMessageId(retracts) ? retracts : undefined;
}

/** The raw value of a payload's `sfr.retraction` extension, or undefined when it has none. */
export function retractionExtensionOf(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const extensions = (payload as Record<string, unknown>)['extensions'];
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  return (extensions as Record<string, unknown>)[RETRACTION_NAMESPACE];
}

/** The only retraction reason of this version (Retraction.schema.json). */
export const EVIDENCE_REORGED = 'EVIDENCE_REORGED';

/**
 * The payload of the retraction of `retracted` (the RecoveryEvent payload with id `retractedId`),
 * built as messages.md#retraction rule 1 says: the retracted event's kind, protocol, scope,
 * occurredAt and correlationId; severity `info`; `relatesTo` exactly `[retractedId]`; `evidence` the
 * references a re-read answered `EVIDENCE_REORGED`, unchanged; `detectedAt` when the reorg was seen.
 */
export function retractionPayload(
  retracted: Record<string, unknown>,
  retractedId: string,
  reorged: readonly unknown[],
  detectedAt: number,
  ancestorBlock?: bigint,
): Record<string, unknown> {
  const correlationId = retracted['correlationId'];
  const occurredAt = retracted['occurredAt'];
  return {
    kind: retracted['kind'],
    protocol: retracted['protocol'],
    severity: 'info',
    occurredAt,
    detectedAt: typeof occurredAt === 'number' ? Math.max(detectedAt, occurredAt) : detectedAt,
    scope: retracted['scope'],
    evidence: [...reorged],
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
    relatesTo: [retractedId],
    summary: `Retracted: the evidence of ${retractedId.slice(0, 10)}… was reorged out of the canonical chain.`,
    extensions: {
      [RETRACTION_NAMESPACE]: {
        retracts: retractedId,
        reasonCode: EVIDENCE_REORGED,
        ...(ancestorBlock === undefined ? {} : { ancestorBlock: ancestorBlock.toString() }),
      },
    },
  };
}
