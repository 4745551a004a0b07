/**
 * contagion.md#expiry-and-resolution rule 4: an alert is **void** at a receiver once every event its
 * `sourceEvents` cites is a RecoveryEvent the receiver holds and marks retracted (messages.md#retraction
 * rule 3: a retraction by the event's own issuer). An alert citing nothing, or citing an event the
 * receiver does not hold or that is not retracted, is not void: judged on what the store holds now,
 * so the answer is the same whichever of the alert, the events and the retractions arrived first.
 */
export interface VoidAlertStore {
  getMessage(id: string): Promise<{ wire: Uint8Array } | undefined>;
  /** The id of the first retraction by `issuer` held for a RecoveryEvent, whichever arrived first. */
  retractedBy(eventId: string, issuer: string): Promise<string | undefined>;
}

/** The alert payload's `sourceEvents` (the ids it is based on), strings only. */
export function sourceEventsOf(alert: Readonly<Record<string, unknown>>): string[] {
  const s = alert['sourceEvents'];
  return Array.isArray(s) ? s.filter((v): v is string => typeof v === 'string') : [];
}

export async function isAlertVoid(
  alert: Readonly<Record<string, unknown>>,
  store: VoidAlertStore,
): Promise<boolean> {
  const sources = sourceEventsOf(alert);
  if (sources.length === 0) return false;
  for (const id of sources) {
    const held = await store.getMessage(id);
    if (held === undefined) return false;
    const env = JSON.parse(Buffer.from(held.wire).toString('utf8')) as { type?: string; issuer?: string };
    if (env.type !== 'RecoveryEvent' || typeof env.issuer !== 'string') return false;
    if ((await store.retractedBy(id, env.issuer.toLowerCase())) === undefined) return false;
  }
  return true;
}
