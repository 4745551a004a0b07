import { validate } from '@sfr/schemas';
import {
  canonicalize,
  createMemorySigningJournal,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_SKEW_MS,
  type EnvelopeDomain,
  EnvelopeError,
  type Hex,
  hashPayload,
  hashTypedEnvelope,
  messageIdOf,
  signEnvelope,
  type UnsignedEnvelope,
} from '../envelope/index.js';
import { decidePoolOp } from '../pools/harnessOp.js';
import { valueLossOp } from '../pools/valueLossOp.js';
import { VaultError } from '../settlement/vaultError.js';
import { createContractSignatures } from '../validation/contractSignatures.js';
import { createValidationPipeline, type ValidationPipeline } from '../validation/pipeline.js';
import { createMemoryReplayState } from '../validation/replayState.js';
import { adapterScanOp, adapterVerifyEvidenceOp } from './adaptersOps.js';
import { HarnessOpError } from './harnessOpError.js';
import { startNodeOp, stopNodeOp } from './nodeOps.js';

/**
 * The reference implementation's side of the conformance harness protocol
 * (proposal 0001 §8, spec/v1/envelope.md#harness): one JSON request in, one JSON response out.
 */
export type HarnessResponse =
  | { id: number | null; result: Record<string, unknown> }
  | { id: number | null; error: { code: string; message: string } };

const enc = new TextEncoder();

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function need<T>(req: Record<string, unknown>, key: string, check: (v: unknown) => boolean, what: string): T {
  const v = req[key];
  if (!check(v)) throw new HarnessOpError('HARNESS_BAD_REQUEST', `"${key}" must be ${what}`);
  return v as T;
}

const isString = (v: unknown) => typeof v === 'string';
const isTime = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Options of `verify` / `ingest` (spec/v1/envelope.md#harness). */
type HarnessConfig = {
  skewMs?: number;
  maxAgeMs?: number;
  maxBytes?: number;
  maxEntries?: number;
  contractMembers?: string[];
  expectedDomain?: EnvelopeDomain | null;
};

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const isDomain = (v: unknown): v is EnvelopeDomain =>
  isObject(v) &&
  Object.keys(v).every((k) => k === 'chainId' || k === 'verifyingContract') &&
  typeof v['chainId'] === 'number' &&
  Number.isSafeInteger(v['chainId']) &&
  v['chainId'] >= 1 &&
  typeof v['verifyingContract'] === 'string' &&
  ADDRESS.test(v['verifyingContract']);

function readConfig(v: unknown): HarnessConfig {
  if (v === undefined) return {};
  if (!isObject(v)) throw new HarnessOpError('HARNESS_BAD_REQUEST', '"config" must be an object');
  const out: HarnessConfig = {};
  for (const key of ['skewMs', 'maxAgeMs', 'maxBytes', 'maxEntries'] as const) {
    if (v[key] !== undefined) {
      if (!isTime(v[key]))
        throw new HarnessOpError('HARNESS_BAD_REQUEST', `"config.${key}" must be a non-negative integer`);
      out[key] = v[key] as number;
    }
  }
  if (v['contractMembers'] !== undefined) {
    if (
      !Array.isArray(v['contractMembers']) ||
      !v['contractMembers'].every((a) => isString(a) && ADDRESS.test(a))
    ) {
      throw new HarnessOpError(
        'HARNESS_BAD_REQUEST',
        '"config.contractMembers" must be an array of addresses',
      );
    }
    out.contractMembers = v['contractMembers'] as string[];
  }
  if (v['expectedDomain'] !== undefined) {
    if (v['expectedDomain'] !== null && !isDomain(v['expectedDomain'])) {
      throw new HarnessOpError(
        'HARNESS_BAD_REQUEST',
        '"config.expectedDomain" must be null or {chainId: integer ≥ 1, verifyingContract: address}',
      );
    }
    out.expectedDomain = v['expectedDomain'];
  }
  return out;
}

/**
 * The node's validation engine as the envelope level drives it (envelope.md#harness): the envelope
 * rules only (no topic, member set, schema or type rules), a fresh signer registry, contract members
 * without a chain, and for `ingest` a fresh in-memory replay state.
 */
function pipelineOf(config: HarnessConfig, withState: boolean): ValidationPipeline {
  const skewMs = config.skewMs ?? DEFAULT_SKEW_MS;
  const maxAgeMs = config.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const expected = config.expectedDomain;
  return createValidationPipeline({
    limits: { maxMessageBytes: config.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES, skewMs, maxAgeMs },
    ...(withState
      ? {
          state: createMemoryReplayState({
            ttlMs: maxAgeMs + 2 * skewMs,
            ...(config.maxEntries === undefined ? {} : { maxEntries: config.maxEntries }),
          }),
        }
      : {}),
    contracts: createContractSignatures(new Map((config.contractMembers ?? []).map((a) => [a, undefined]))),
    ...(expected === undefined ? {} : { expectedDomain: () => expected }),
  });
}

function verdict(r: { outcome: string; code?: string }): Record<string, unknown> {
  return r.outcome === 'accept' ? { outcome: 'accept' } : { outcome: r.outcome, code: r.code };
}

async function run(op: string, req: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (op) {
    case 'validate': {
      const kind = need<string>(req, 'kind', isString, 'a string');
      const r = validate(kind, req['document']);
      if (r.ok) return { valid: true };
      const issues = r.issues.map((i) => ({ code: i.code, pointer: i.pointer }));
      return { valid: false, code: issues[0]?.code, pointer: issues[0]?.pointer, issues };
    }
    case 'canonicalize':
      return { canonical: canonicalize(req['value']) };
    case 'payloadHash':
      return { hash: hashPayload(req['payload']) };
    case 'typedDataDigest': {
      const envelope = need<UnsignedEnvelope>(req, 'envelope', isObject, 'an object');
      return { digest: hashTypedEnvelope(envelope, hashPayload(envelope.payload)) };
    }
    case 'sign': {
      const privateKey = need<Hex>(req, 'privateKey', isString, 'a hex string');
      const unsigned = need<UnsignedEnvelope>(req, 'unsigned', isObject, 'an object');
      // The harness signs statelessly: each request gets a fresh (in-memory) journal.
      const r = await signEnvelope({ privateKey, unsigned, guard: createMemorySigningJournal() });
      return { envelope: r.envelope, wire: new TextDecoder().decode(r.wire), messageId: r.messageId };
    }
    case 'messageId': {
      const wire = need<string>(req, 'wire', isString, 'a string');
      return { messageId: messageIdOf(enc.encode(wire)) };
    }
    case 'verify': {
      const wire = need<string>(req, 'wire', isString, 'a string');
      const now = need<number>(req, 'now', isTime, 'unix milliseconds');
      const pipeline = pipelineOf(readConfig(req['config']), false);
      return verdict(await pipeline.check(enc.encode(wire), { source: 'gossip', from: 'harness', now }));
    }
    case 'ingest': {
      const config = readConfig(req['config']);
      const steps = need<unknown[]>(req, 'steps', Array.isArray, 'an array');
      const pipeline = pipelineOf(config, true);
      const results = [];
      for (const [i, step] of steps.entries()) {
        if (!isObject(step) || !isString(step['wire']) || !isTime(step['now'])) {
          throw new HarnessOpError('HARNESS_BAD_REQUEST', `steps[${i}] must be {wire: string, now: integer}`);
        }
        const wire = enc.encode(step['wire'] as string);
        results.push(
          verdict(
            await pipeline.ingest(wire, { source: 'gossip', from: 'harness', now: step['now'] as number }),
          ),
        );
      }
      return { results };
    }
    case 'decide': {
      // Pool level (spec/v1/pools.md#harness): the claims every node derives from these messages.
      const r = decidePoolOp(req);
      if (!r.ok) throw new HarnessOpError(r.error.code, r.error.message, { section: 'pools.md#harness' });
      return r.result;
    }
    case 'valueLoss': {
      // Pool level (spec/v1/pools.md#harness): an attester's value of a loss from its feed's rounds.
      const r = valueLossOp(req);
      if (!r.ok) throw new HarnessOpError(r.error.code, r.error.message, { section: 'pools.md#harness' });
      return r.result;
    }
    case 'settlementDigest':
    case 'settlementOf':
    case 'settlementSplit':
    case 'settlementTurns':
      // Settlement level (spec/v1/settlement.md#vectors): typed-data digests, settlements from decisions,
      // splits, turns. Loaded on first use, so the other levels do not pay for it at start.
      return (await import('../settlement/settlementOp.js')).runSettlementOp(op, req);
    case 'nodeStart':
      // Node level (spec/v1/conformance.md#node-level): a real node the runner joins as gossip peers.
      return startNodeOp(req);
    case 'nodeStop':
      return stopNodeOp();
    case 'adapterScan':
      // Adapter level (spec/v1/conformance.md#adapter-level): the real adapter scans the runner's anvil.
      return adapterScanOp(req);
    case 'adapterVerifyEvidence':
      return adapterVerifyEvidenceOp(req);
    default:
      throw new HarnessOpError(
        'HARNESS_UNSUPPORTED_OP',
        `op ${JSON.stringify(op).slice(0, 80)} is not implemented`,
      );
  }
}

/** Answer one request line. Never throws. */
export async function handleRequest(line: string): Promise<HarnessResponse> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return { id: null, error: { code: 'HARNESS_BAD_REQUEST', message: 'request is not JSON' } };
  }
  if (!isObject(req))
    return { id: null, error: { code: 'HARNESS_BAD_REQUEST', message: 'request is not an object' } };
  const id = typeof req['id'] === 'number' && Number.isSafeInteger(req['id']) ? req['id'] : null;
  if (id === null) return { id, error: { code: 'HARNESS_BAD_REQUEST', message: '"id" must be an integer' } };
  if (typeof req['op'] !== 'string')
    return { id, error: { code: 'HARNESS_BAD_REQUEST', message: '"op" must be a string' } };
  try {
    return { id, result: await run(req['op'], req) };
  } catch (error) {
    if (error instanceof HarnessOpError || error instanceof EnvelopeError || error instanceof VaultError) {
      return { id, error: { code: error.code, message: error.message.split('\n')[0]! } };
    }
    return { id, error: { code: 'HARNESS_INTERNAL', message: String(error).slice(0, 200) } };
  }
}
