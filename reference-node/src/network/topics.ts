/**
 * Typed gossip topics (spec/v1/p2p.md#topics). Topic strings are normative wire names:
 * `/sfr/<major>/<name>` with snake_case names, and one topic per pool keyed by the pool id
 * (32 bytes, lower-case hex without `0x`).
 */
import { FIXED_TOPIC_NAMES, type FixedTopicName, isMessageType, TOPIC_OF_TYPE } from '@sfr/schemas';

export { FIXED_TOPIC_NAMES, type FixedTopicName };

/** The wire MAJOR carried in every topic string (proposal 0001 §6). */
export const TOPIC_MAJOR = 1;

export type Topic = { readonly kind: FixedTopicName } | { readonly kind: 'pool'; readonly poolId: string };

export type ParseTopicResult =
  | { readonly ok: true; readonly topic: Topic }
  | { readonly ok: false; readonly code: 'GOSSIP_UNKNOWN_TOPIC' | 'GOSSIP_UNSUPPORTED_TOPIC_VERSION' };

const POOL_ID_HEX = /^[0-9a-f]{64}$/;
// Longest valid topic: "/sfr/1/pool/" + 64 hex chars; anything longer is refused before regex work.
const MAX_TOPIC_LENGTH = 96;

/** Parses a topic string; never throws. A different MAJOR is reported separately (IGNORE, not REJECT). */
export function parseTopic(value: string): ParseTopicResult {
  if (typeof value !== 'string' || value.length > MAX_TOPIC_LENGTH) {
    return { ok: false, code: 'GOSSIP_UNKNOWN_TOPIC' };
  }
  const parts = value.split('/');
  // ['', 'sfr', '<major>', name, (poolId)]
  if (parts.length < 4 || parts.length > 5 || parts[0] !== '' || parts[1] !== 'sfr') {
    return { ok: false, code: 'GOSSIP_UNKNOWN_TOPIC' };
  }
  const major = parts[2] ?? '';
  if (!/^[1-9][0-9]{0,3}$/.test(major)) return { ok: false, code: 'GOSSIP_UNKNOWN_TOPIC' };
  if (Number(major) !== TOPIC_MAJOR) return { ok: false, code: 'GOSSIP_UNSUPPORTED_TOPIC_VERSION' };
  const name = parts[3] ?? '';
  if (parts.length === 5) {
    const poolId = parts[4] ?? '';
    if (name === 'pool' && POOL_ID_HEX.test(poolId)) return { ok: true, topic: { kind: 'pool', poolId } };
    return { ok: false, code: 'GOSSIP_UNKNOWN_TOPIC' };
  }
  if ((FIXED_TOPIC_NAMES as readonly string[]).includes(name)) {
    return { ok: true, topic: { kind: name as FixedTopicName } };
  }
  return { ok: false, code: 'GOSSIP_UNKNOWN_TOPIC' };
}

/** Renders a topic as its wire string. `poolId` may be given with or without `0x`. */
export function stringifyTopic(topic: Topic): string {
  if (topic.kind === 'pool') {
    const id = topic.poolId.startsWith('0x') ? topic.poolId.slice(2) : topic.poolId;
    if (!POOL_ID_HEX.test(id)) throw new TypeError(`pool id must be 32 bytes lower-case hex, got ${id}`);
    return `/sfr/${TOPIC_MAJOR}/pool/${id}`;
  }
  return `/sfr/${TOPIC_MAJOR}/${topic.kind}`;
}

/** Envelope `type` values → the topic they travel on (spec/v1/p2p.md#topics, generated `TOPIC_OF_TYPE`). */
export function topicForEnvelope(type: string, poolId: string | undefined): Topic | undefined {
  if (!isMessageType(type)) return undefined;
  const kind = TOPIC_OF_TYPE[type];
  if (kind !== 'pool') return { kind };
  if (poolId === undefined) return undefined;
  const id = poolId.startsWith('0x') ? poolId.slice(2) : poolId;
  return POOL_ID_HEX.test(id) ? { kind: 'pool', poolId: id } : undefined;
}

/** The fixed topics every node subscribes to. */
export function fixedTopicStrings(): string[] {
  return FIXED_TOPIC_NAMES.map((kind) => stringifyTopic({ kind }));
}
