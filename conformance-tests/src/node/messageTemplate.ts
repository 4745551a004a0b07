/**
 * Unsigned envelope templates of the node-level vectors (spec/v1/conformance.md#node-level) and
 * their instantiation at run time: fresh `issuedAt` (an offset from now), the signature made by the
 * runner, then the named mutations.
 */
import type { Hex } from 'viem';
import { isRecord } from '../vectors/loadVectors.js';
import {
  addressOf,
  canonicalJson,
  messageIdOf,
  signUnsignedEnvelope,
  testPrivateKey,
  type UnsignedEnvelope,
} from './signEnvelope.js';

/** A change applied to a message; the `kind`s are defined in spec/v1/conformance.md#node-level. */
export type Mutation =
  /** Before signing: a header field set to another value (the signature covers the new value). */
  | { kind: 'setHeader'; field: 'sfr' | 'type'; value: string }
  /** Before signing: a payload member removed (a schema violation under a valid signature). */
  | { kind: 'removePayloadField'; pointer: string }
  /** Before signing: a payload string padded with `x` to `length` characters. */
  | { kind: 'padPayloadString'; pointer: string; length: number }
  /** Signed by test key `key` instead of the issuer's. */
  | { kind: 'signWithKey'; key: number }
  /** After signing: byte `index` of the 65 signature bytes XOR 0x01. */
  | { kind: 'flipSignatureByte'; index: number };

export type MessageTemplate = {
  type: string;
  /** Test key index of the issuer (and signer, unless `signWithKey`). */
  key: number;
  seq: number;
  /** issuedAt = the runner's clock when the message is built + this offset. */
  issuedAtOffsetMs: number;
  payload: Record<string, unknown>;
  /** Payload members (JSON pointers) set to the runner's clock + the offset, e.g. `/expiresAt`. */
  payloadTimes?: Record<string, number>;
  mutations?: Mutation[];
};

export type BuiltMessage = {
  wire: Uint8Array;
  messageId: Hex;
  issuer: string;
  seq: number;
  envelope: Record<string, unknown>;
};

/** Builds, signs and mutates a template at `now`. */
export async function buildMessage(template: MessageTemplate, now: number): Promise<BuiltMessage> {
  const mutations = template.mutations ?? [];
  const payload = structuredClone(template.payload);
  for (const [pointer, offset] of Object.entries(template.payloadTimes ?? {})) {
    setAt(payload, pointer, now + offset);
  }
  const issuerKey = testPrivateKey(template.key);
  const unsigned: UnsignedEnvelope = {
    sfr: '1.0',
    type: template.type,
    issuer: addressOf(issuerKey),
    seq: template.seq,
    issuedAt: now + template.issuedAtOffsetMs,
    payload,
  };
  let signer: Hex = issuerKey;
  for (const m of mutations) {
    switch (m.kind) {
      case 'setHeader':
        unsigned[m.field] = m.value;
        break;
      case 'removePayloadField':
        removeAt(payload, m.pointer);
        break;
      case 'padPayloadString': {
        const current = getAt(payload, m.pointer);
        const text = typeof current === 'string' ? current : '';
        setAt(payload, m.pointer, text.padEnd(m.length, 'x'));
        break;
      }
      case 'signWithKey':
        signer = testPrivateKey(m.key);
        break;
      case 'flipSignatureByte':
        break;
    }
  }
  const signed = await signUnsignedEnvelope(unsigned, signer);
  for (const m of mutations) {
    if (m.kind !== 'flipSignatureByte') continue;
    const bytes = Buffer.from(signed.signature.slice(2), 'hex');
    if (m.index < 0 || m.index >= bytes.length) throw new Error(`signature byte ${m.index} out of range`);
    bytes[m.index] = (bytes[m.index] ?? 0) ^ 0x01;
    signed.signature = `0x${bytes.toString('hex')}`;
  }
  const wire = new TextEncoder().encode(canonicalJson(signed));
  return {
    wire,
    messageId: messageIdOf(wire),
    issuer: unsigned.issuer,
    seq: unsigned.seq,
    envelope: signed as unknown as Record<string, unknown>,
  };
}

function tokens(pointer: string): string[] {
  if (pointer === '' || !pointer.startsWith('/')) throw new Error(`not a member pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function parentOf(root: Record<string, unknown>, pointer: string): [Record<string, unknown>, string] {
  const path = tokens(pointer);
  let node: unknown = root;
  for (const t of path.slice(0, -1)) {
    node = isRecord(node) ? node[t] : Array.isArray(node) ? node[Number(t)] : undefined;
  }
  if (!isRecord(node) && !Array.isArray(node)) throw new Error(`no parent for ${pointer}`);
  return [node as Record<string, unknown>, path[path.length - 1] ?? ''];
}

function getAt(root: Record<string, unknown>, pointer: string): unknown {
  const [parent, last] = parentOf(root, pointer);
  return parent[last];
}

function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const [parent, last] = parentOf(root, pointer);
  parent[last] = value;
}

function removeAt(root: Record<string, unknown>, pointer: string): void {
  const [parent, last] = parentOf(root, pointer);
  if (!Object.hasOwn(parent, last)) throw new Error(`nothing to remove at ${pointer}`);
  delete parent[last];
}
