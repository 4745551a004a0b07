/**
 * The validation pipeline, one test per rule of spec/v1/p2p.md#validation-rules, in spec order, with
 * real envelopes (signed by the envelope library), the real schema check and a real store.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalize,
  checkEnvelopeSchema,
  createMemorySigningJournal,
  type Envelope,
  type Hex,
  type MemberKey,
  recoverSigner,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';
import { parseTopic, stringifyTopic, topicForEnvelope } from '../../src/network/topics.js';
import { openStore, type Store } from '../../src/store/index.js';
import { SYNC_CODES } from '../../src/sync/syncCodes.js';
import { createDurableReplayState, type DurableLog } from '../../src/validation/durableReplayState.js';
import { runValidation } from '../../src/validation/gossipAdapter.js';
import { GOSSIP_CODES } from '../../src/validation/gossipCodes.js';
import { createIssuerRateLimiter } from '../../src/validation/issuerRateLimiter.js';
import { Membership } from '../../src/validation/membership.js';
import { createValidationPipeline, type PipelineDependencies } from '../../src/validation/pipeline.js';
import { createTypeRules } from '../../src/validation/typeRules.js';
import type { IngestContext } from '../../src/validation/types.js';
import { alertPayload, testKeys } from '../node/fixtures.js';

const NOW = 1_767_225_600_000;
const ALERTS = stringifyTopic({ kind: 'contagion_alerts' });
const EVENTS = stringifyTopic({ kind: 'recovery_events' });
const POOL_A = `0x${'a'.repeat(64)}`;
const POOL_B = `0x${'b'.repeat(64)}`;
const gossip = (topic = ALERTS): IngestContext => ({ source: 'gossip', topic, from: 'peerX' });
const LIMITS = { maxMessageBytes: 64 * 1024, skewMs: 10_000, maxAgeMs: 300_000 };

const [alice, bob, mallory] = testKeys(3, 'sfr-e1-pipeline') as [MemberKey, MemberKey, MemberKey];
const enc = new TextEncoder();

async function sign(
  key: MemberKey,
  over: Partial<UnsignedEnvelope> = {},
  journal = createMemorySigningJournal(),
) {
  const unsigned: UnsignedEnvelope = {
    sfr: '1.0',
    type: 'ContagionAlert',
    issuer: key.address,
    seq: 1,
    issuedAt: NOW,
    payload: alertPayload(NOW) as UnsignedEnvelope['payload'],
    ...over,
  };
  return signEnvelope({ privateKey: key.privateKey, unsigned, guard: journal });
}

/** Canonical bytes of an arbitrary envelope-like object (for hand-made, unsignable cases). */
const wireOf = (value: unknown): Uint8Array => enc.encode(canonicalize(value));

let store: Store;
let closedStore: Store;
const stores: string[] = [];

afterAll(async () => {
  for (const d of stores) await rm(d, { recursive: true, force: true });
});

async function freshStore(): Promise<Store> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'sfr-e1-pipeline-store-'));
  stores.push(d);
  return openStore(d, { sync: false });
}

function logOf(s: Store): DurableLog {
  return {
    async heldAt(issuer, seq) {
      const m = await s.getBySeq(issuer, seq);
      return m === undefined ? undefined : { id: m.id, wire: m.wire };
    },
    isPruned: (issuer, seq) => s.isPruned(issuer, seq),
    headSeq: (issuer) => s.headSeq(issuer),
    getMessage: (id) => s.getMessage(id),
    appendRefusal: () => (s.isHealthy() ? undefined : 'STORE_UNHEALTHY'),
    async append(wire, info) {
      const r = await s.append({ wire, id: info.id, source: info.source });
      if (r.status !== 'appended' && r.status !== 'duplicate') throw new Error(`${r.code}: ${r.detail}`);
    },
  };
}

/** The node's configuration of the engine (as createNode wires it), over a real store. */
function pipelineWith(
  over: Partial<PipelineDependencies> = {},
  s: Store = store,
  log: DurableLog = logOf(s),
) {
  const equivocations: Array<{ first: string; second: string }> = [];
  const deps: PipelineDependencies = {
    state: createDurableReplayState(log, { equivocationTtlMs: 320_000 }),
    membership: new Membership([alice.address, bob.address]),
    topics: {
      parse(t) {
        const p = parseTopic(t);
        if (!p.ok) return p;
        return p.topic.kind === 'pool'
          ? { ok: true, kind: 'pool', poolId: p.topic.poolId }
          : { ok: true, kind: p.topic.kind };
      },
      kindOf: (type) => topicForEnvelope(type, POOL_A)?.kind,
    },
    checkSchema: checkEnvelopeSchema,
    typeRules: createTypeRules(),
    limits: LIMITS,
    now: () => NOW,
    onEquivocation: (first, second) => equivocations.push({ first: first.id, second: second.id }),
    ...over,
  };
  return { pipeline: createValidationPipeline(deps), equivocations };
}

describe('validation pipeline rules, in spec order', () => {
  beforeAll(async () => {
    store = await freshStore();
  });

  it('size: data larger than maxMessageBytes is REJECT ENVELOPE_TOO_LARGE, before decoding', async () => {
    const { pipeline } = pipelineWith();
    const r = await pipeline.ingest(new Uint8Array(LIMITS.maxMessageBytes + 1).fill(0x7b), gossip());
    expect(r).toMatchObject({ outcome: 'reject', code: 'ENVELOPE_TOO_LARGE' });
  });

  it('decode: non-JSON is REJECT ENVELOPE_MALFORMED; non-canonical bytes are REJECT ENVELOPE_NOT_CANONICAL', async () => {
    const { pipeline } = pipelineWith();
    expect(await pipeline.ingest(enc.encode('{not json'), gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_MALFORMED',
    });
    const signed = await sign(alice);
    const spaced = enc.encode(JSON.stringify(signed.envelope, null, 1));
    expect(await pipeline.ingest(spaced, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_NOT_CANONICAL',
    });
    const lowerIssuer = { ...signed.envelope, issuer: signed.envelope.issuer.toLowerCase() };
    expect(await pipeline.ingest(wireOf(lowerIssuer), gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_NOT_CANONICAL',
    });
  });

  it('version: another MAJOR is IGNORE ENVELOPE_UNSUPPORTED_MAJOR; a higher MINOR is IGNORE ENVELOPE_UNSUPPORTED_MINOR', async () => {
    const { pipeline } = pipelineWith();
    const signed = await sign(alice);
    const v2 = wireOf({ ...signed.envelope, sfr: '2.0' });
    const v11 = wireOf({ ...signed.envelope, sfr: '1.1', newHeaderField: 1 });
    expect(await pipeline.ingest(v2, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_UNSUPPORTED_MAJOR',
    });
    expect(await pipeline.ingest(v11, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_UNSUPPORTED_MINOR',
    });
  });

  it('structure: unknown type is REJECT ENVELOPE_UNKNOWN_TYPE; scope on a non-pool type is REJECT ENVELOPE_SCOPE_MISMATCH', async () => {
    const { pipeline } = pipelineWith();
    const signed = await sign(alice);
    expect(await pipeline.ingest(wireOf({ ...signed.envelope, type: 'Gossip' }), gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_UNKNOWN_TYPE',
    });
    expect(
      await pipeline.ingest(wireOf({ ...signed.envelope, scope: { poolId: POOL_A, epoch: 1 } }), gossip()),
    ).toMatchObject({ outcome: 'reject', code: 'ENVELOPE_SCOPE_MISMATCH' });
  });

  it('topic: a non-SFR topic is REJECT GOSSIP_UNKNOWN_TOPIC, another MAJOR IGNORE, a wrong topic REJECT GOSSIP_WRONG_TOPIC', async () => {
    const { pipeline } = pipelineWith();
    const { wire } = await sign(alice);
    expect(await pipeline.ingest(wire, gossip('/eth2/beacon_block'))).toMatchObject({
      outcome: 'reject',
      code: 'GOSSIP_UNKNOWN_TOPIC',
    });
    expect(await pipeline.ingest(wire, gossip('/sfr/2/contagion_alerts'))).toMatchObject({
      outcome: 'ignore',
      code: 'GOSSIP_UNSUPPORTED_TOPIC_VERSION',
    });
    expect(await pipeline.ingest(wire, gossip(EVENTS))).toMatchObject({
      outcome: 'reject',
      code: 'GOSSIP_WRONG_TOPIC',
    });
  });

  it('seen: a REJECT is not remembered, so the same bytes are judged again (gossipsub dedups ids itself)', async () => {
    const { pipeline } = pipelineWith();
    const signed = await sign(alice, { seq: 90 });
    const forged = wireOf({
      ...signed.envelope,
      signature: (await sign(bob, { seq: 90 })).envelope.signature,
    });
    expect(await pipeline.ingest(forged, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
    expect(await pipeline.ingest(forged, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
  });

  it('scope: a pool message on another pool topic is REJECT GOSSIP_WRONG_TOPIC', async () => {
    const { pipeline } = pipelineWith();
    const { wire } = await sign(alice, {
      type: 'FundClaim',
      seq: 2,
      scope: { poolId: POOL_B as Hex, epoch: 1 },
      payload: { anything: true },
    });
    const r = await pipeline.ingest(wire, gossip(stringifyTopic({ kind: 'pool', poolId: POOL_A })));
    expect(r).toMatchObject({ outcome: 'reject', code: 'GOSSIP_WRONG_TOPIC' });
  });

  it('time window: later than now + skew is IGNORE ENVELOPE_FROM_FUTURE; older than max age is IGNORE ENVELOPE_TOO_OLD on gossip only', async () => {
    const { pipeline } = pipelineWith({}, await freshStore());
    const future = await sign(alice, { seq: 3, issuedAt: NOW + LIMITS.skewMs + 1 });
    expect(await pipeline.ingest(future.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_FROM_FUTURE',
    });
    const old = await sign(alice, { seq: 4, issuedAt: NOW - LIMITS.maxAgeMs - LIMITS.skewMs - 1 });
    expect(await pipeline.ingest(old.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_TOO_OLD',
    });
    // Catch-up sync carries old messages on purpose: the max-age rule does not apply.
    expect(await pipeline.ingest(old.wire, { source: 'sync', from: 'peerY' })).toMatchObject({
      outcome: 'accept',
    });
  });

  it('time window: beyond 2·skew ahead is REJECT ENVELOPE_FAR_FUTURE (gossip and sync); older than max age + 2·skew is REJECT ENVELOPE_EXPIRED on gossip only', async () => {
    const { pipeline } = pipelineWith({}, await freshStore());
    const edge = await sign(alice, { seq: 5, issuedAt: NOW + 2 * LIMITS.skewMs });
    expect(await pipeline.ingest(edge.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_FROM_FUTURE',
    });
    const far = await sign(alice, { seq: 6, issuedAt: NOW + 2 * LIMITS.skewMs + 1 });
    expect(await pipeline.ingest(far.wire, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_FAR_FUTURE',
    });
    // No honest peer stores a message that far ahead of every honest clock: sync refuses it too.
    expect(await pipeline.ingest(far.wire, { source: 'sync', from: 'peerY' })).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_FAR_FUTURE',
    });
    const tooOld = await sign(alice, { seq: 7, issuedAt: NOW - LIMITS.maxAgeMs - 2 * LIMITS.skewMs });
    expect(await pipeline.ingest(tooOld.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_TOO_OLD',
    });
    const expired = await sign(alice, { seq: 8, issuedAt: NOW - LIMITS.maxAgeMs - 2 * LIMITS.skewMs - 1 });
    expect(await pipeline.ingest(expired.wire, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_EXPIRED',
    });
    expect(await pipeline.ingest(expired.wire, { source: 'sync', from: 'peerY' })).toMatchObject({
      outcome: 'accept',
    });
  });

  it('time window: a time REJECT is not cached, so the same bytes are judged again once the clock moved', async () => {
    let t = NOW;
    const { pipeline } = pipelineWith({ now: () => t }, await freshStore());
    const far = await sign(alice, { seq: 9, issuedAt: NOW + 60_000 });
    expect(await pipeline.ingest(far.wire, gossip())).toMatchObject({ code: 'ENVELOPE_FAR_FUTURE' });
    t = NOW + 60_000;
    expect(await pipeline.ingest(far.wire, gossip())).toMatchObject({ outcome: 'accept' });
  });

  it('membership: a non-member issuer is REJECT GOSSIP_NOT_MEMBER, before its signature is checked', async () => {
    const { pipeline } = pipelineWith();
    const good = await sign(mallory, { seq: 5 });
    expect(await pipeline.ingest(good.wire, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'GOSSIP_NOT_MEMBER',
    });
    const badSig = wireOf({ ...good.envelope, signature: `0x${'11'.repeat(64)}1b` });
    expect(await pipeline.ingest(badSig, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'GOSSIP_NOT_MEMBER',
    });
  });

  it('sequence: a replay is IGNORE ENVELOPE_DUPLICATE; another message at the same (issuer, seq) is IGNORE ENVELOPE_EQUIVOCATION', async () => {
    const s = await freshStore();
    const { pipeline, equivocations } = pipelineWith({}, s);
    const first = await sign(alice, { seq: 6 });
    expect(await pipeline.ingest(first.wire, gossip())).toMatchObject({
      outcome: 'accept',
      id: first.messageId,
    });
    // A replay arriving after the in-memory seen-cache forgot it is still caught by the store.
    const { pipeline: restarted } = pipelineWith({}, s);
    expect(await restarted.ingest(first.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_DUPLICATE',
    });
    const other = await sign(alice, { seq: 6, payload: alertPayload(NOW, 7) as UnsignedEnvelope['payload'] });
    expect(await restarted.ingest(other.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_EQUIVOCATION',
      meta: { first: first.messageId, second: other.messageId },
    });
    expect(equivocations).toEqual([]);
    expect((await s.getBySeq(alice.address.toLowerCase(), 6))?.id).toBe(first.messageId);
  });

  it('sequence: a forged message at a held (issuer, seq) is REJECTed for its signature, not taken as equivocation', async () => {
    const s = await freshStore();
    const { pipeline, equivocations } = pipelineWith({}, s);
    const first = await sign(alice, { seq: 7 });
    await pipeline.ingest(first.wire, gossip());
    const forged = wireOf({ ...first.envelope, payload: alertPayload(NOW, 3) });
    expect(await pipeline.ingest(forged, gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
    expect(equivocations).toEqual([]);
  });

  it('signature: a bad encoding is REJECT ENVELOPE_BAD_SIGNATURE_ENCODING; another signer is REJECT ENVELOPE_BAD_SIGNATURE', async () => {
    const { pipeline } = pipelineWith();
    const signed = await sign(alice, { seq: 8 });
    const badV = `${signed.envelope.signature.slice(0, -2)}1d` as Hex;
    expect(await pipeline.ingest(wireOf({ ...signed.envelope, signature: badV }), gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE_ENCODING',
    });
    const bobs = await sign(bob, { seq: 8 });
    const swapped: Envelope = { ...signed.envelope, signature: bobs.envelope.signature };
    expect(await pipeline.ingest(wireOf(swapped), gossip())).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
  });

  it('type rules: a payload that violates its schema is REJECTed with the schema code', async () => {
    const { pipeline } = pipelineWith();
    const payload = alertPayload(NOW) as Record<string, unknown>;
    delete payload['indicator'];
    const signed = await sign(alice, { seq: 9, payload: payload as UnsignedEnvelope['payload'] });
    const r = await pipeline.ingest(signed.wire, gossip());
    expect(r).toMatchObject({ outcome: 'reject', code: 'SCHEMA_REQUIRED' });
  });

  it('accept: the message is durably in the store when ingest answers accept', async () => {
    const s = await freshStore();
    const { pipeline } = pipelineWith({}, s);
    const signed = await sign(bob, { seq: 10 });
    const r = await pipeline.ingest(signed.wire, gossip());
    expect(r).toMatchObject({ outcome: 'accept', id: signed.messageId });
    expect((await s.getMessage(signed.messageId))?.seq).toBe(10);
  });

  it('rule 21.1: a message of an issuer whose budget is spent costs no signature recovery; a forger spends no token', async () => {
    const s = await freshStore();
    let recoveries = 0;
    const { pipeline } = pipelineWith(
      {
        issuerLimit: createIssuerRateLimiter({ burst: 2, perSecond: 1 }),
        recoverSigner: (digest, sig) => {
          recoveries++;
          return recoverSigner(digest, sig);
        },
      },
      s,
    );
    const journal = createMemorySigningJournal();
    const signed = await Promise.all([1, 2, 3, 4].map((seq) => sign(alice, { seq, issuedAt: NOW }, journal)));
    const mallorys = await sign(mallory, { seq: 5, issuedAt: NOW });
    const forged = wireOf({ ...mallorys.envelope, issuer: alice.address });
    // A forged copy before the budget is spent: REJECTed at rule 24, no token taken (the bucket holds 2).
    expect(await pipeline.ingest(forged, gossip())).toMatchObject({ code: 'ENVELOPE_BAD_SIGNATURE' });
    const verdicts: string[] = [];
    for (const m of signed) {
      const r = await pipeline.ingest(m.wire, gossip());
      verdicts.push(r.outcome === 'accept' ? 'accept' : `${r.outcome} ${r.code}`);
    }
    expect(verdicts).toEqual([
      'accept',
      'accept',
      'ignore GOSSIP_ISSUER_RATE_LIMITED',
      'ignore GOSSIP_ISSUER_RATE_LIMITED',
    ]);
    // One recovery for the forgery and one per accepted message: the two over budget cost none.
    expect(recoveries).toBe(3);
    // Over budget, a forged copy is IGNOREd before its signature is looked at (IGNORE still draws
    // from the sending peer's IGNORE budget, p2p.md#conduct); sync is not budgeted and checks it.
    expect(await pipeline.ingest(forged, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'GOSSIP_ISSUER_RATE_LIMITED',
    });
    expect(recoveries).toBe(3);
    expect(await pipeline.ingest(forged, { source: 'sync', from: 'peerY' })).toMatchObject({
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
  });

  it('rule 34: beyond its issuer budget on a topic a valid gossip message is IGNORE GOSSIP_ISSUER_RATE_LIMITED, not stored', async () => {
    const s = await freshStore();
    // A bucket of 2 refilled at 1 per second (p2p.md#issuer-budgets), on the pipeline's clock.
    const { pipeline } = pipelineWith(
      { issuerLimit: createIssuerRateLimiter({ burst: 2, perSecond: 1 }) },
      s,
    );
    const journal = createMemorySigningJournal();
    const at = (seq: number, now: number) =>
      sign(alice, { seq, issuedAt: now }, journal).then((m) => ({ m, now }));
    const verdicts: string[] = [];
    for (const { m, now } of [await at(1, NOW), await at(2, NOW), await at(3, NOW), await at(4, NOW + 999)]) {
      const r = await pipeline.ingest(m.wire, { ...gossip(), now });
      verdicts.push(r.outcome === 'accept' ? 'accept' : `${r.outcome} ${r.code}`);
    }
    expect(verdicts).toEqual([
      'accept',
      'accept',
      'ignore GOSSIP_ISSUER_RATE_LIMITED',
      'ignore GOSSIP_ISSUER_RATE_LIMITED',
    ]);
    expect(await s.getBySeq(alice.address, 3)).toBeUndefined();
    // A second later the bucket holds one token again; another issuer and another topic have their own.
    const five = await sign(alice, { seq: 5, issuedAt: NOW + 1000 }, journal);
    expect(await pipeline.ingest(five.wire, { ...gossip(), now: NOW + 1000 })).toMatchObject({
      outcome: 'accept',
    });
    const bobs = await sign(bob, { seq: 1 });
    expect(await pipeline.ingest(bobs.wire, { ...gossip(), now: NOW + 1000 })).toMatchObject({
      outcome: 'accept',
    });
    // Only gossip is budgeted: the node's own messages and catch-up sync are not (p2p.md#issuer-budgets).
    const six = await sign(alice, { seq: 6, issuedAt: NOW + 1000 }, journal);
    expect(await pipeline.ingest(six.wire, { source: 'sync', from: 'peerY', now: NOW + 1000 })).toMatchObject(
      {
        outcome: 'accept',
      },
    );
    // A message that fails an earlier rule spends no token: a forged copy cannot drain an honest budget.
    const mallorys = await sign(mallory, { seq: 7, issuedAt: NOW + 2000 });
    const forged = { wire: wireOf({ ...mallorys.envelope, issuer: alice.address }) };
    expect(await pipeline.ingest(forged.wire, { ...gossip(), now: NOW + 2000 })).toMatchObject({
      outcome: 'reject',
      code: 'ENVELOPE_BAD_SIGNATURE',
    });
    const seven = await sign(alice, { seq: 7, issuedAt: NOW + 2000 }, journal);
    expect(await pipeline.ingest(seven.wire, { ...gossip(), now: NOW + 2000 })).toMatchObject({
      outcome: 'accept',
    });
  });

  it('store trouble is IGNORE GOSSIP_STORE_UNAVAILABLE (never relayed, never a penalty)', async () => {
    closedStore = await freshStore();
    await closedStore.close();
    const { pipeline } = pipelineWith({}, closedStore, {
      heldAt: async () => undefined,
      isPruned: () => false,
      headSeq: () => undefined,
      getMessage: async () => undefined,
      appendRefusal: () => (closedStore.isHealthy() ? undefined : 'STORE_CLOSED'),
      async append(wire, info) {
        const r = await closedStore.append({ wire, id: info.id });
        if (r.status !== 'appended' && r.status !== 'duplicate') throw new Error(r.code);
      },
    });
    const signed = await sign(bob, { seq: 11 });
    expect(await pipeline.ingest(signed.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'GOSSIP_STORE_UNAVAILABLE',
    });
  });

  it('an unexpected internal error becomes IGNORE ENVELOPE_INTERNAL, never REJECT, and is counted', async () => {
    const { pipeline } = pipelineWith({
      typeRules: () => {
        throw new TypeError('bug');
      },
    });
    const recorded: string[] = [];
    const signed = await sign(bob, { seq: 12 });
    const r = await runValidation(pipeline, signed.wire, gossip(), {
      recordOutcome: (topic, outcome, code) => recorded.push(`${topic}/${outcome}/${code}`),
    });
    expect(r).toMatchObject({ outcome: 'ignore', code: 'ENVELOPE_INTERNAL' });
    expect(recorded).toEqual(['contagion_alerts/ignore/ENVELOPE_INTERNAL']);
  });

  it('relay on validation: admit answers before the durable append; copies and conflicts meanwhile are judged against the held message', async () => {
    const s = await freshStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const real = logOf(s);
    const { pipeline, equivocations } = pipelineWith({}, s, {
      ...real,
      async append(wire, info) {
        await gate;
        return real.append(wire, info);
      },
    });
    const first = await sign(alice, { seq: 14 });
    const admitted = await pipeline.admit(first.wire, gossip());
    expect(admitted).toMatchObject({ outcome: 'accept', id: first.messageId });
    expect(await s.getMessage(first.messageId)).toBeUndefined();
    expect(await pipeline.admit(first.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_DUPLICATE',
    });
    const other = await sign(alice, {
      seq: 14,
      payload: alertPayload(NOW, 9) as UnsignedEnvelope['payload'],
    });
    expect(await pipeline.admit(other.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'ENVELOPE_EQUIVOCATION',
      meta: { first: first.messageId, second: other.messageId },
    });
    expect(equivocations).toEqual([{ first: first.messageId, second: other.messageId }]);
    release();
    expect(admitted.outcome === 'accept' && (await admitted.durable)).toBeNull();
    expect((await s.getBySeq(alice.address.toLowerCase(), 14))?.id).toBe(first.messageId);
  });

  it('an append that fails after admit: durable answers IGNORE GOSSIP_STORE_UNAVAILABLE, as ingest does', async () => {
    const s = await freshStore();
    const { pipeline } = pipelineWith({}, s, {
      ...logOf(s),
      append: async () => {
        throw new Error('STORE_WRITE_FAILED');
      },
    });
    const a = await sign(alice, { seq: 15 });
    const admitted = await pipeline.admit(a.wire, gossip());
    expect(admitted.outcome).toBe('accept');
    expect(admitted.outcome === 'accept' && (await admitted.durable)).toMatchObject({
      outcome: 'ignore',
      code: 'GOSSIP_STORE_UNAVAILABLE',
    });
    const b = await sign(alice, { seq: 16 });
    expect(await pipeline.ingest(b.wire, gossip())).toMatchObject({
      outcome: 'ignore',
      code: 'GOSSIP_STORE_UNAVAILABLE',
      id: b.messageId,
    });
    // Not stored, not held: a later copy (from sync) is judged afresh.
    expect(await pipeline.admit(a.wire, gossip())).toMatchObject({ outcome: 'accept' });
  });

  it('two messages for the same slot validated concurrently: one is accepted, the other is not stored', async () => {
    const s = await freshStore();
    const { pipeline } = pipelineWith({}, s);
    const a = await sign(alice, { seq: 13 });
    const b = await sign(alice, { seq: 13, payload: alertPayload(NOW, 5) as UnsignedEnvelope['payload'] });
    const [ra, rb] = await Promise.all([
      pipeline.ingest(a.wire, gossip()),
      pipeline.ingest(b.wire, gossip()),
    ]);
    expect(ra.outcome).toBe('accept');
    expect(rb).toMatchObject({ outcome: 'ignore', code: 'GOSSIP_SLOT_IN_FLIGHT' });
    expect((await s.getBySeq(alice.address.toLowerCase(), 13))?.id).toBe(a.messageId);
  });
});

describe('reason-code registries', () => {
  const registry = (domain: string) =>
    JSON.parse(
      readFileSync(
        new URL(`../../../schemas/v1/registry/reason-codes/${domain}.json`, import.meta.url),
        'utf8',
      ),
    ) as {
      domain: string;
      codes: Array<{ code: string; outcome: string; meaning: string; section: string }>;
    };

  it('GOSSIP.json lists exactly the GOSSIP codes the code uses, with the same outcomes', () => {
    const file = registry('GOSSIP');
    expect(file.domain).toBe('GOSSIP');
    expect(Object.fromEntries(file.codes.map((c) => [c.code, c.outcome]))).toEqual(GOSSIP_CODES);
  });

  it('SYNC.json lists exactly the SYNC codes the code uses, with the same outcomes', () => {
    const file = registry('SYNC');
    expect(file.domain).toBe('SYNC');
    expect(Object.fromEntries(file.codes.map((c) => [c.code, c.outcome]))).toEqual(SYNC_CODES);
  });
});
