/**
 * Runs one case of the `node` level (spec/v1/conformance.md#node-level): asks the implementation's
 * harness to start a node (`nodeStart`), joins it as three gossip peers of the runner's own — a
 * sender, an honest peer and an observer — plays the case's scenario, compares what the observer
 * saw with `expected`, and stops the node (`nodeStop`). A fresh node and fresh peers per case, so
 * one case's penalties or state never change another's outcome.
 */
import { SfrError } from '@sfr/schemas';
import { HarnessCode, type HarnessCodeValue } from '../errors.js';
import type { HarnessProcess, HarnessResponse } from '../harness/harnessProcess.js';
import { matchSubset, truncate } from '../runner/compareResult.js';
import type { ScenarioCaseOutcome } from '../runner/scenarioCaseOutcome.js';
import { isRecord, type VectorCase } from '../vectors/loadVectors.js';
import { GossipPeer, peerSeenTtlMs } from './gossipPeer.js';
import { type BuiltMessage, buildMessage, type MessageTemplate } from './messageTemplate.js';
import {
  addressOf,
  canonicalJson,
  messageIdOf,
  recoverSigner,
  type SignedEnvelope,
  testPrivateKey,
} from './signEnvelope.js';

/** The topics every node subscribes to (p2p.md#topics): the runner waits for a mesh on those it uses. */
export const fixedTopics = [
  '/sfr/1/contagion_alerts',
  '/sfr/1/recovery_events',
  '/sfr/1/evidence',
  '/sfr/1/announcements',
] as const;
const evidenceTopic = '/sfr/1/evidence';

/**
 * Bounded waits of the reference runner (conformance.md#node-level), generous for a loaded 2-core
 * machine; an honest node on loopback needs a few heartbeats for the mesh and milliseconds to relay.
 */
export const nodeTimings = {
  /** Until every runner peer has the node in its mesh on every fixed topic the case uses. */
  meshTimeoutMs: 20_000,
  /** Until a message the node must relay reaches the observer. */
  relayTimeoutMs: 10_000,
  /** After the barrier arrived, how long a message that must not be relayed gets to show up anyway. */
  settleMs: 1_000,
  /** After a flood, at most this long for the node to cut the flooder off (it may also just stop relaying). */
  floodGraceMs: 5_000,
  /** Until the runner peers' seen-caches forgot a message (their TTL plus heartbeats to prune it). */
  forgetMs: peerSeenTtlMs + 1_000,
};

export type NodeTimings = { readonly [K in keyof typeof nodeTimings]: number };

type NodeInput = {
  node: {
    key: number;
    members: number[];
    contractMembers?: number[];
    time?: { skewMs: number; maxAgeMs: number };
  };
  /** `relay`: valid messages the sender publishes first, each relayed before the next. */
  before?: { topic: string; message: MessageTemplate }[];
  topic: string;
  barrier?: { topic: string; message: MessageTemplate };
  message?: MessageTemplate;
  invalid?: MessageTemplate;
  count?: number;
  valid?: MessageTemplate;
  first?: MessageTemplate;
  second?: MessageTemplate;
  messages?: MessageTemplate[];
  request?: { key: number; fromSeq: number; toSeq: number };
};

/**
 * A node-level case that failed (spec/v1/conformance.md#node-level): its code, and as message the
 * reason the runner reports as is; `actual` is what the node did instead.
 */
class CaseFailure extends SfrError<HarnessCodeValue, { readonly actual?: unknown }> {
  override readonly name = 'CaseFailure';
  constructor(
    code: HarnessCodeValue,
    message: string,
    readonly actual?: unknown,
  ) {
    super(code, message, { section: 'conformance.md#node-level', details: { actual } });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The node under test as its harness described it. */
type StartedNode = { peerId: string; multiaddrs: string[]; address: string };

export async function runNodeCase(
  harness: HarnessProcess,
  handler: string,
  vectorCase: VectorCase,
  timeoutMs: number,
  timings: NodeTimings = nodeTimings,
): Promise<ScenarioCaseOutcome> {
  const input = vectorCase.input as unknown as NodeInput;
  const peers: GossipPeer[] = [];
  let started = false;
  try {
    const nodeKey = testPrivateKey(input.node.key);
    const response = await harness.request(
      'nodeStart',
      {
        memberKey: nodeKey,
        members: input.node.members.map((k) => addressOf(testPrivateKey(k))),
        ...(input.node.contractMembers === undefined
          ? {}
          : { contractMembers: input.node.contractMembers.map((k) => addressOf(testPrivateKey(k))) }),
        time: input.node.time ?? { skewMs: 10_000, maxAgeMs: 300_000 },
        maxMessageBytes: 65_536,
      },
      timeoutMs,
    );
    const node = readStarted(response, addressOf(nodeKey));
    if ('outcome' in node) return node;
    started = true;

    const [sender, honest, observer] = await Promise.all([
      GossipPeer.create('sender'),
      GossipPeer.create('honest'),
      GossipPeer.create('observer'),
    ]);
    peers.push(sender, honest, observer);
    const topics = [
      ...new Set([
        input.topic,
        ...(input.barrier === undefined ? [] : [input.barrier.topic]),
        ...(input.before ?? []).map((b) => b.topic),
        ...(handler === 'equivocation' ? [evidenceTopic] : []),
      ]),
    ];
    await joinMesh(peers, node, topics, timings.meshTimeoutMs);
    const ctx: ScenarioContext = {
      input,
      expected: vectorCase.expected,
      timings,
      node,
      sender,
      honest,
      observer,
      barrierSeq: 0,
    };
    const observed = await runScenario(handler, ctx);
    const { spec: _spec, ...checked } = vectorCase.expected;
    const compared = matchSubset(checked, observed.observation);
    if (compared.ok) return { outcome: 'passed', actual: observed.observation, startFailure: false };
    return {
      outcome: 'failed',
      code: HarnessCode.resultMismatch,
      reason: `${compared.reason}${observed.notes.length === 0 ? '' : `; ${observed.notes.join('; ')}`}`,
      actual: observed.observation,
      startFailure: false,
    };
  } catch (error) {
    if (error instanceof CaseFailure) {
      return {
        outcome: 'failed',
        code: error.code,
        reason: error.message,
        ...(error.actual === undefined ? {} : { actual: error.actual }),
        startFailure: false,
      };
    }
    return {
      outcome: 'failed',
      code: HarnessCode.unexpectedError,
      reason: `the runner could not play the scenario: ${truncate(String(error), 300)}`,
      startFailure: false,
    };
  } finally {
    await Promise.allSettled(peers.map((p) => p.stop()));
    if (started) await harness.request('nodeStop', {}, timeoutMs);
  }
}

function readStarted(response: HarnessResponse, address: string): StartedNode | ScenarioCaseOutcome {
  switch (response.kind) {
    case 'failure':
      return {
        outcome: 'failed',
        code: response.code,
        reason: `nodeStart: ${response.reason}`,
        startFailure: response.beforeFirstAnswer,
      };
    case 'error':
      if (response.code === HarnessCode.unsupportedOp) {
        return {
          outcome: 'unsupported',
          code: HarnessCode.unsupportedOp,
          reason: 'the implementation does not support op nodeStart',
          actual: { error: { code: response.code, message: response.message } },
          startFailure: false,
        };
      }
      return {
        outcome: 'failed',
        code: HarnessCode.unexpectedError,
        reason: `nodeStart answered an error: ${response.code}${response.message === '' ? '' : ` (${response.message})`}`,
        actual: { error: { code: response.code, message: response.message } },
        startFailure: false,
      };
    case 'result': {
      const { peerId, multiaddrs } = response.result;
      const valid =
        typeof peerId === 'string' &&
        Array.isArray(multiaddrs) &&
        multiaddrs.length > 0 &&
        multiaddrs.every((a) => typeof a === 'string' && a.endsWith(`/p2p/${peerId}`));
      if (!valid) {
        return {
          outcome: 'failed',
          code: HarnessCode.badResponse,
          reason:
            'nodeStart must answer {peerId, multiaddrs: [...]} with every multiaddr ending /p2p/<peerId>',
          actual: response.result,
          startFailure: false,
        };
      }
      return { peerId, multiaddrs: multiaddrs as string[], address };
    }
  }
}

async function joinMesh(
  peers: readonly GossipPeer[],
  node: StartedNode,
  topics: readonly string[],
  meshTimeoutMs: number,
): Promise<void> {
  const meshTopics = topics.filter((t) => (fixedTopics as readonly string[]).includes(t));
  const address = node.multiaddrs.find((a) => a.includes('/127.0.0.1/')) ?? node.multiaddrs[0]!;
  for (const p of peers) p.subscribe(topics);
  try {
    await Promise.all(peers.map((p) => p.dial(address, meshTimeoutMs)));
  } catch (error) {
    throw new CaseFailure(
      HarnessCode.unexpectedError,
      `the runner could not connect to the node at ${address}: ${truncate(String(error), 200)}`,
    );
  }
  const deadline = Date.now() + meshTimeoutMs;
  for (const p of peers) {
    const ok = await p.waitFor(
      () => meshTopics.every((t) => p.hasMeshPeer(t, node.peerId)),
      Math.max(0, deadline - Date.now()),
    );
    if (!ok) {
      throw new CaseFailure(
        HarnessCode.timeout,
        `the ${p.name} peer was not in the node's mesh on ${meshTopics.join(', ')} within ${meshTimeoutMs} ms (did the node subscribe to every fixed topic and accept the GRAFT?)`,
      );
    }
  }
}

type ScenarioContext = {
  input: NodeInput;
  expected: Record<string, unknown>;
  timings: NodeTimings;
  node: StartedNode;
  sender: GossipPeer;
  honest: GossipPeer;
  observer: GossipPeer;
  barrierSeq: number;
};

type Observed = { observation: Record<string, unknown>; notes: string[] };

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CaseFailure(HarnessCode.invalidVectorFile, `the case has no ${what}`);
  return value;
}

async function runScenario(handler: string, ctx: ScenarioContext): Promise<Observed> {
  switch (handler) {
    case 'relay':
      return relay(ctx);
    case 'duplicate':
      return duplicate(ctx);
    case 'penalize':
      return penalize(ctx);
    case 'equivocation':
      return equivocation(ctx);
    case 'sync':
      return syncRange(ctx);
    default:
      throw new CaseFailure(HarnessCode.unknownHandler, `unknown node handler ${handler}`);
  }
}

/**
 * Publishes a fresh valid message (the case's barrier template, next seq) from `from` and waits
 * until the observer received it. Messages on one topic are validated in order, so once the barrier
 * arrived, a message published before it on that topic has been judged.
 */
async function barrier(ctx: ScenarioContext, from: GossipPeer): Promise<BuiltMessage> {
  const { message, arrived } = await tryBarrier(ctx, from);
  if (!arrived) {
    throw new CaseFailure(
      HarnessCode.resultMismatch,
      `the node did not relay a valid barrier message (${message.messageId}, from the ${from.name} peer on ${ctx.input.barrier?.topic}) within ${ctx.timings.relayTimeoutMs} ms, so nothing can be concluded from what it did not relay`,
    );
  }
  return message;
}

/** Publishes a barrier and reports whether the observer received it within `relayTimeoutMs`. */
async function tryBarrier(
  ctx: ScenarioContext,
  from: GossipPeer,
): Promise<{ message: BuiltMessage; arrived: boolean }> {
  const spec = need(ctx.input.barrier, 'input.barrier');
  const template = { ...spec.message };
  template.seq += ctx.barrierSeq++;
  const message = await buildMessage(template, Date.now());
  await from.publish(spec.topic, message.wire);
  const arrived = await ctx.observer.waitFor(
    () => ctx.observer.deliveriesOf(message.messageId).length > 0,
    ctx.timings.relayTimeoutMs,
  );
  return { message, arrived };
}

function relayNote(ctx: ScenarioContext, message: BuiltMessage, label: string, publishedAt: number): string {
  const got = ctx.observer.deliveriesOf(message.messageId);
  return got.length === 0
    ? `the observer did not receive the ${label} (${message.messageId})`
    : `the observer received the ${label} (${message.messageId}) ${got.length} time(s), first ${(got[0]?.at ?? 0) - publishedAt} ms after it was published`;
}

async function relay(ctx: ScenarioContext): Promise<Observed> {
  for (const [i, step] of (ctx.input.before ?? []).entries()) {
    const setup = await buildMessage(step.message, Date.now());
    await ctx.sender.publish(step.topic, setup.wire);
    const relayed = await ctx.observer.waitFor(
      () => ctx.observer.deliveriesOf(setup.messageId).length > 0,
      ctx.timings.relayTimeoutMs,
    );
    if (!relayed) {
      throw new CaseFailure(
        HarnessCode.resultMismatch,
        `the node did not relay the valid message before[${i}] (${setup.messageId}, ${step.message.type} on ${step.topic}) within ${ctx.timings.relayTimeoutMs} ms, so the message under test cannot be judged`,
      );
    }
  }
  const template = need(ctx.input.message, 'input.message');
  const probe = await buildMessage(template, Date.now());
  const publishedAt = Date.now();
  const recipients = await ctx.sender.publish(ctx.input.topic, probe.wire);
  await barrier(ctx, ctx.honest);
  // A message that must be relayed gets the relay timeout (it may travel behind the barrier, e.g. in
  // another topic's queue); one that must not be relayed gets the settle time to show up anyway.
  await ctx.observer.waitFor(
    () => ctx.observer.deliveriesOf(probe.messageId).length > 0,
    ctx.expected['relayed'] === true ? ctx.timings.relayTimeoutMs : ctx.timings.settleMs,
  );
  const notes = [relayNote(ctx, probe, 'message', publishedAt)];
  if (recipients === 0)
    notes.push(`the node was not subscribed to ${ctx.input.topic}, so the sender could not send it`);
  return { observation: { relayed: ctx.observer.deliveriesOf(probe.messageId).length > 0 }, notes };
}

async function duplicate(ctx: ScenarioContext): Promise<Observed> {
  const template = need(ctx.input.message, 'input.message');
  const message = await buildMessage(template, Date.now());
  const publishedAt = Date.now();
  await ctx.sender.publish(ctx.input.topic, message.wire);
  const first = await ctx.observer.waitFor(
    () => ctx.observer.deliveriesOf(message.messageId).length > 0,
    ctx.timings.relayTimeoutMs,
  );
  if (!first) {
    return {
      observation: { deliveries: 0 },
      notes: [`the first copy was not relayed within ${ctx.timings.relayTimeoutMs} ms`],
    };
  }
  // The runner peers forget the id, so that the honest peer can send the same bytes again and the
  // observer would count a second relay instead of dropping it as seen.
  await sleep(ctx.timings.forgetMs);
  await ctx.honest.publish(ctx.input.topic, message.wire);
  await barrier(ctx, ctx.sender);
  await sleep(ctx.timings.settleMs);
  return {
    observation: { deliveries: ctx.observer.deliveriesOf(message.messageId).length },
    notes: [relayNote(ctx, message, 'message', publishedAt)],
  };
}

async function penalize(ctx: ScenarioContext): Promise<Observed> {
  const invalid = need(ctx.input.invalid, 'input.invalid');
  const count = need(ctx.input.count, 'input.count');
  const validTemplate = need(ctx.input.valid, 'input.valid');
  const flood: BuiltMessage[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) flood.push(await buildMessage({ ...invalid, seq: invalid.seq + i }, now));
  let sent = 0;
  for (const m of flood) {
    if (!ctx.sender.isConnectedTo(ctx.node.peerId)) break;
    await ctx.sender.publish(ctx.input.topic, m.wire);
    sent++;
    if (sent % 10 === 0) await sleep(20);
  }
  const cutOff = await ctx.sender.waitFor(
    () => !ctx.sender.isConnectedTo(ctx.node.peerId),
    ctx.timings.floodGraceMs,
  );
  const relayedFlood = flood.filter((m) => ctx.observer.deliveriesOf(m.messageId).length > 0).length;
  const valid = await buildMessage(validTemplate, Date.now());
  const publishedAt = Date.now();
  await ctx.sender.publish(ctx.input.topic, valid.wire);
  // Here the barrier is part of the observation: the honest peer's message must still get through.
  const honest = await tryBarrier(ctx, ctx.honest);
  await ctx.observer.waitFor(
    () => ctx.observer.deliveriesOf(valid.messageId).length > 0,
    ctx.timings.settleMs,
  );
  return {
    observation: {
      flooderRelayed: ctx.observer.deliveriesOf(valid.messageId).length > 0,
      honestRelayed: honest.arrived,
      flooderDisconnected: cutOff,
      invalidSent: sent,
      invalidRelayed: relayedFlood,
    },
    notes: [
      `the sender published ${sent} invalid message(s), ${relayedFlood} of which reached the observer`,
      cutOff
        ? 'the node disconnected the flooder'
        : `the flooder was still connected ${ctx.timings.floodGraceMs} ms after the flood`,
      relayNote(ctx, valid, "flooder's later valid message", publishedAt),
      relayNote(ctx, honest.message, "honest peer's valid message", publishedAt),
    ],
  };
}

async function equivocation(ctx: ScenarioContext): Promise<Observed> {
  const firstTemplate = need(ctx.input.first, 'input.first');
  const secondTemplate = need(ctx.input.second, 'input.second');
  const now = Date.now();
  const first = await buildMessage(firstTemplate, now);
  const second = await buildMessage(secondTemplate, now);
  const publishedAt = Date.now();
  await ctx.sender.publish(ctx.input.topic, first.wire);
  await ctx.observer.waitFor(
    () => ctx.observer.deliveriesOf(first.messageId).length > 0,
    ctx.timings.relayTimeoutMs,
  );
  // The conflicting envelope comes from another peer, as an honest relay of it would.
  await ctx.honest.publish(ctx.input.topic, second.wire);
  await barrier(ctx, ctx.sender);
  const problems: string[] = [];
  const isEvidence = (data: Uint8Array) => {
    const problem = checkEvidence(data, ctx.node.address, first, second);
    if (problem !== undefined && !problems.includes(problem)) problems.push(problem);
    return problem === undefined;
  };
  // Synchronous checks first; the signature is recovered for candidates only.
  const candidates = () =>
    ctx.observer.deliveries.filter((d) => d.topic === evidenceTopic && isEvidence(d.data));
  await ctx.observer.waitFor(() => candidates().length > 0, ctx.timings.relayTimeoutMs);
  let evidence = false;
  for (const d of candidates()) {
    const envelope = JSON.parse(new TextDecoder().decode(d.data)) as SignedEnvelope;
    const signer = await recoverSigner(envelope);
    if (signer?.toLowerCase() === ctx.node.address.toLowerCase()) evidence = true;
    else
      problems.push(
        `an evidence envelope's signature does not recover to the node's member ${ctx.node.address}`,
      );
  }
  await sleep(ctx.timings.settleMs);
  const notes = [
    relayNote(ctx, first, 'first envelope', publishedAt),
    relayNote(ctx, second, 'conflicting second envelope', publishedAt),
    evidence
      ? `valid EquivocationEvidence signed by the node's member arrived on ${evidenceTopic}`
      : `no valid EquivocationEvidence arrived on ${evidenceTopic} within ${ctx.timings.relayTimeoutMs} ms${problems.length === 0 ? '' : ` (${problems.join('; ')})`}`,
  ];
  return {
    observation: {
      firstRelayed: ctx.observer.deliveriesOf(first.messageId).length > 0,
      secondRelayed: ctx.observer.deliveriesOf(second.messageId).length > 0,
      evidence,
    },
    notes,
  };
}

/**
 * Whether `data` is an EquivocationEvidence envelope of the node's member for exactly these two
 * envelopes (envelope.md#equivocation); returns what is wrong, or undefined. The signature is
 * checked by the caller.
 */
function checkEvidence(
  data: Uint8Array,
  nodeAddress: string,
  a: BuiltMessage,
  b: BuiltMessage,
): string | undefined {
  let envelope: unknown;
  try {
    envelope = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'a message on the evidence topic is not JSON';
  }
  if (!isRecord(envelope) || envelope['type'] !== 'EquivocationEvidence') {
    return 'a message on the evidence topic is not an EquivocationEvidence envelope';
  }
  if (String(envelope['issuer']).toLowerCase() !== nodeAddress.toLowerCase()) {
    return `the evidence is issued by ${String(envelope['issuer'])}, not by the node's member ${nodeAddress}`;
  }
  const payload = envelope['payload'];
  if (!isRecord(payload)) return 'the evidence has no payload object';
  if (payload['offense'] !== 'duplicate_seq')
    return `the evidence's offense is ${String(payload['offense'])}, not duplicate_seq`;
  if (String(payload['offender']).toLowerCase() !== a.issuer.toLowerCase()) {
    return `the evidence names offender ${String(payload['offender'])}, not ${a.issuer}`;
  }
  const [low, high] = a.messageId < b.messageId ? [a, b] : [b, a];
  try {
    const firstId = messageIdOf(new TextEncoder().encode(canonicalJson(payload['first'])));
    const secondId = messageIdOf(new TextEncoder().encode(canonicalJson(payload['second'])));
    if (firstId !== low.messageId || secondId !== high.messageId) {
      return 'the evidence does not hold the two conflicting envelopes as first (lower message id) and second';
    }
  } catch {
    return 'the evidence envelopes are not canonicalizable JSON';
  }
  return undefined;
}

/** The range sync protocol of p2p.md#sync. */
const syncRangeProtocol = '/sfr/1/sync/range/1.0.0';
const frameMessage = 0x00;
const frameError = 0x01;

/**
 * Catch-up sync (p2p.md#sync): the sender publishes the case's messages one by one (each relayed, so
 * the node stored it before it relayed it, p2p.md#validation); then the observer asks the node for an
 * issuer's seq range and compares what it serves with what was published, byte for byte.
 */
async function syncRange(ctx: ScenarioContext): Promise<Observed> {
  const templates = need(ctx.input.messages, 'input.messages');
  const request = need(ctx.input.request, 'input.request');
  const published: BuiltMessage[] = [];
  const notes: string[] = [];
  for (const template of templates) {
    const message = await buildMessage(template, Date.now());
    await ctx.sender.publish(ctx.input.topic, message.wire);
    const relayed = await ctx.observer.waitFor(
      () => ctx.observer.deliveriesOf(message.messageId).length > 0,
      ctx.timings.relayTimeoutMs,
    );
    if (!relayed)
      notes.push(`the node did not relay the published message seq ${message.seq} (${message.messageId})`);
    published.push(message);
  }
  const issuer = addressOf(testPrivateKey(request.key));
  const body = { issuer, fromSeq: request.fromSeq, toSeq: request.toSeq };
  const address = ctx.node.multiaddrs.find((a) => a.includes('/127.0.0.1/')) ?? ctx.node.multiaddrs[0]!;
  let frames: Array<{ kind: number; body: Uint8Array }>;
  try {
    frames = await ctx.observer.requestSync(address, syncRangeProtocol, body, ctx.timings.relayTimeoutMs);
  } catch (error) {
    return {
      observation: { failed: truncate(String(error), 200) },
      notes: [...notes, `the range request ${JSON.stringify(body)} failed: ${truncate(String(error), 200)}`],
    };
  }
  const decoder = new TextDecoder();
  const errorFrame = frames.find((f) => f.kind === frameError);
  if (errorFrame !== undefined) {
    let code = 'unreadable';
    try {
      const parsed: unknown = JSON.parse(decoder.decode(errorFrame.body));
      if (isRecord(parsed) && typeof parsed['code'] === 'string') code = parsed['code'];
    } catch {
      // reported as unreadable
    }
    notes.push(`the node answered ${JSON.stringify(body)} with error ${code}`);
    return { observation: { error: code }, notes };
  }
  const wires = new Set(published.map((m) => Buffer.from(m.wire).toString('hex')));
  const seqs: unknown[] = [];
  let exact = true;
  for (const frame of frames) {
    if (frame.kind !== frameMessage) {
      exact = false;
      notes.push(`a response frame of unexpected kind ${frame.kind}`);
      continue;
    }
    if (!wires.has(Buffer.from(frame.body).toString('hex'))) exact = false;
    try {
      const envelope: unknown = JSON.parse(decoder.decode(frame.body));
      seqs.push(isRecord(envelope) ? envelope['seq'] : null);
    } catch {
      seqs.push(null);
    }
  }
  notes.push(
    `the node served ${frames.length} message(s) for ${JSON.stringify(body)}: seqs ${JSON.stringify(seqs)}${exact ? ', each byte for byte as published' : ', not all of them byte for byte as published'}`,
  );
  return { observation: { seqs, exact }, notes };
}
