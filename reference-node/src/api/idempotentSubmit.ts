/**
 * The idempotency rule of the write routes (spec/v1/api.md#idempotency) over a durable
 * `IdempotencyStore`: a key names one request; the same body gets the first answer again (also after
 * a crash), another body is refused 409 `API_IDEMPOTENCY_CONFLICT` and signs nothing. On a multisig
 * member's node the answer is the proposal (node.md#multisig-members), under the same rule.
 */
import { createHash } from 'node:crypto';
import type { MessageId, Proposal, SubmitResponse } from '@sfr/schemas';
import { canonicalize } from '../envelope/canonicalize.js';
import type { Store } from '../store/index.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotencyStore.js';
import { ApiProblem } from './problem.js';

export interface SubmitRequest {
  readonly payload: Record<string, unknown>;
  readonly issuedAt?: number;
  /**
   * `POST /v1/alerts?ttlMs` (api.md rule 11): the node set the payload's `observedAt` / `expiresAt`
   * from its clock, so the request is named by its payload less those two times, and `ttlMs`.
   */
  readonly ttlMs?: number;
}

export interface IdempotentSubmitter {
  /**
   * Runs `sign` for a request at most once per `key` (undefined: no key, always runs). `sign` signs and
   * durably stores the message and resolves with the answer.
   */
  submit(
    key: string | undefined,
    request: SubmitRequest,
    sign: () => Promise<SubmitResponse>,
  ): Promise<SubmitResponse>;
  /**
   * The same rule on a multisig member's node (node.md#multisig-members): runs `propose` at most once
   * per `key`; a retry with the same body gets the same proposal, another body 409.
   */
  propose(
    key: string | undefined,
    request: SubmitRequest,
    propose: () => Promise<Proposal>,
  ): Promise<Proposal>;
}

/**
 * The request's identity: canonical JSON of its payload and, when given, its issuedAt; with `ttlMs`,
 * of the payload less the times the node set, and `ttlMs`.
 */
function digestOf(request: SubmitRequest): string {
  const { observedAt: _o, expiresAt: _e, ...timeless } = request.payload;
  const body = {
    payload: request.ttlMs === undefined ? request.payload : timeless,
    ...(request.issuedAt === undefined ? {} : { issuedAt: request.issuedAt }),
    ...(request.ttlMs === undefined ? {} : { ttlMs: request.ttlMs }),
  };
  return createHash('sha256').update(canonicalize(body), 'utf8').digest('hex');
}

/**
 * The digest the envelope's request would have (with its `issuedAt` when the request gave one, and
 * its alert's lifetime as `ttlMs` when the request gave that).
 */
function envelopeDigest(envelope: unknown, given: { issuedAt: boolean; ttlMs: boolean }): string {
  const e = envelope as { payload: Record<string, unknown>; issuedAt: number };
  return digestOf({
    payload: e.payload,
    ...(given.issuedAt ? { issuedAt: e.issuedAt } : {}),
    ...(given.ttlMs ? { ttlMs: Number(e.payload['expiresAt']) - Number(e.payload['observedAt']) } : {}),
  });
}

function answerOf(wire: Uint8Array, id: MessageId): SubmitResponse {
  const envelope = JSON.parse(Buffer.from(wire).toString('utf8')) as SubmitResponse['envelope'];
  return { messageId: id, seq: envelope.seq, envelope };
}

const conflict = (): ApiProblem =>
  new ApiProblem({
    status: 409,
    code: 'API_IDEMPOTENCY_CONFLICT',
    field: 'idempotencyKey',
    expected: 'a new key for a different request, or the body first sent with this key',
    detail: 'this idempotency key was used with another body',
  });

/** How one kind of answer is recorded, read back, and found after a crash before it was recorded. */
interface Answers<T> {
  /** The answer a finished record names, if the node still holds it. */
  recorded(record: IdempotencyRecord): Promise<T | undefined>;
  /** An answer made above `afterSeq` for a request with this digest (made just before a crash). */
  madeAfter(
    afterSeq: number,
    digest: string,
    given: { issuedAt: boolean; ttlMs: boolean },
  ): Promise<T | undefined>;
  recordOf(answer: T, digest: string): IdempotencyRecord;
}

export function createIdempotentSubmitter(parameters: {
  readonly records: IdempotencyStore;
  readonly store: Store;
  /** The node's own issuer address, as the store keys it. */
  readonly member: string;
  /** A multisig member's node: the proposals it holds (for `propose`). */
  readonly proposals?: { list(): Proposal[]; get(id: string): Proposal | undefined };
}): IdempotentSubmitter {
  const { records, store, member } = parameters;
  /** Requests of this process still running, by key: a concurrent retry waits for the first. */
  const running = new Map<string, { digest: string; result: Promise<unknown> }>();

  const messages: Answers<SubmitResponse> = {
    async recorded(record) {
      if (record.state !== 'done') return undefined;
      const m = await store.getMessage(record.messageId);
      return m === undefined ? undefined : answerOf(m.wire, m.id);
    },
    /** A message of ours above `afterSeq` with this request's digest. */
    async madeAfter(afterSeq, digest, given) {
      const head = store.headSeq(member);
      if (head === undefined || head <= afterSeq) return undefined;
      for (const m of await store.rangeBySeq(member, afterSeq + 1, head)) {
        const answer = answerOf(m.wire, m.id);
        if (envelopeDigest(answer.envelope, given) === digest) return answer;
      }
      return undefined;
    },
    recordOf: (answer, digest) => ({ state: 'done', digest, messageId: answer.messageId, seq: answer.seq }),
  };

  const proposals: Answers<Proposal> = {
    async recorded(record) {
      return record.state === 'proposed' ? parameters.proposals?.get(record.proposalId) : undefined;
    },
    async madeAfter(afterSeq, digest, given) {
      return parameters.proposals
        ?.list()
        .find((p) => p.seq > afterSeq && envelopeDigest(p.envelope, given) === digest);
    },
    recordOf: (answer, digest) => ({ state: 'proposed', digest, proposalId: answer.id, seq: answer.seq }),
  };

  async function run<T>(
    key: string,
    digest: string,
    request: SubmitRequest,
    answers: Answers<T>,
    act: () => Promise<T>,
  ): Promise<T> {
    const known = await records.get(key);
    if (known !== undefined && known.digest !== digest) throw conflict();
    if (known !== undefined && known.state !== 'pending') {
      const answer = await answers.recorded(known);
      if (answer !== undefined) return answer;
    }
    if (known?.state === 'pending') {
      const found = await answers.madeAfter(known.afterSeq, digest, {
        issuedAt: request.issuedAt !== undefined,
        ttlMs: request.ttlMs !== undefined,
      });
      if (found !== undefined) {
        await records.put(key, answers.recordOf(found, digest));
        return found;
      }
    }
    await records.put(key, { state: 'pending', digest, afterSeq: store.headSeq(member) ?? -1 });
    let answer: T;
    try {
      answer = await act();
    } catch (error) {
      // Refused or failed: nothing was stored under this key, so it may be used again.
      await records.delete(key);
      throw error;
    }
    await records.put(key, answers.recordOf(answer, digest));
    return answer;
  }

  async function once<T>(
    key: string | undefined,
    request: SubmitRequest,
    answers: Answers<T>,
    act: () => Promise<T>,
  ): Promise<T> {
    if (key === undefined) return act();
    const digest = digestOf(request);
    const current = running.get(key);
    if (current !== undefined) {
      if (current.digest !== digest) throw conflict();
      return current.result as Promise<T>;
    }
    const result = run(key, digest, request, answers, act);
    running.set(key, { digest, result });
    try {
      return await result;
    } finally {
      running.delete(key);
    }
  }

  return {
    submit: (key, request, sign) => once(key, request, messages, sign),
    propose: (key, request, propose) => once(key, request, proposals, propose),
  };
}
