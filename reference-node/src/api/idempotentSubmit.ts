/**
 * The idempotency rule of the write routes (spec/v1/api.md#idempotency) over a durable
 * `IdempotencyStore`: a key names one request; the same body gets the first answer again (also after
 * a crash), another body is refused 409 `API_IDEMPOTENCY_CONFLICT` and signs nothing.
 */
import { createHash } from 'node:crypto';
import type { SubmitResponse } from '@sfr/schemas';
import { canonicalize } from '../envelope/canonicalize.js';
import type { Store } from '../store/index.js';
import type { IdempotencyStore } from './idempotencyStore.js';
import { ApiProblem } from './problem.js';

export interface SubmitRequest {
  readonly payload: Record<string, unknown>;
  readonly issuedAt?: number;
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
}

/** The request's identity: canonical JSON of its payload and, when given, its issuedAt. */
function digestOf(request: SubmitRequest): string {
  const body = request.issuedAt === undefined ? { payload: request.payload } : request;
  return createHash('sha256').update(canonicalize(body), 'utf8').digest('hex');
}

function answerOf(wire: Uint8Array, id: string): SubmitResponse {
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

export function createIdempotentSubmitter(parameters: {
  readonly records: IdempotencyStore;
  readonly store: Store;
  /** The node's own issuer address, as the store keys it. */
  readonly member: string;
}): IdempotentSubmitter {
  const { records, store, member } = parameters;
  /** Requests of this process still running, by key: a concurrent retry waits for the first. */
  const running = new Map<string, { digest: string; result: Promise<SubmitResponse> }>();

  /** A message of ours above `afterSeq` with this request's digest: signed just before a crash. */
  async function findSigned(
    afterSeq: number,
    digest: string,
    issuedAtGiven: boolean,
  ): Promise<SubmitResponse | undefined> {
    const head = store.headSeq(member);
    if (head === undefined || head <= afterSeq) return undefined;
    for (const m of await store.rangeBySeq(member, afterSeq + 1, head)) {
      const answer = answerOf(m.wire, m.id);
      const e = answer.envelope as unknown as { payload: Record<string, unknown>; issuedAt: number };
      const candidate = issuedAtGiven ? { payload: e.payload, issuedAt: e.issuedAt } : { payload: e.payload };
      if (digestOf(candidate) === digest) return answer;
    }
    return undefined;
  }

  async function run(
    key: string,
    digest: string,
    request: SubmitRequest,
    sign: () => Promise<SubmitResponse>,
  ) {
    const known = await records.get(key);
    if (known !== undefined && known.digest !== digest) throw conflict();
    if (known?.state === 'done') {
      const m = await store.getMessage(known.messageId);
      if (m !== undefined) return answerOf(m.wire, m.id);
    }
    if (known?.state === 'pending') {
      const found = await findSigned(known.afterSeq, digest, request.issuedAt !== undefined);
      if (found !== undefined) {
        await records.put(key, { state: 'done', digest, messageId: found.messageId, seq: found.seq });
        return found;
      }
    }
    await records.put(key, { state: 'pending', digest, afterSeq: store.headSeq(member) ?? -1 });
    let answer: SubmitResponse;
    try {
      answer = await sign();
    } catch (error) {
      // Refused or failed: nothing was stored under this key, so it may be used again.
      await records.delete(key);
      throw error;
    }
    await records.put(key, { state: 'done', digest, messageId: answer.messageId, seq: answer.seq });
    return answer;
  }

  return {
    async submit(key, request, sign) {
      if (key === undefined) return sign();
      const digest = digestOf(request);
      const current = running.get(key);
      if (current !== undefined) {
        if (current.digest !== digest) throw conflict();
        return current.result;
      }
      const result = run(key, digest, request, sign);
      running.set(key, { digest, result });
      try {
        return await result;
      } finally {
        running.delete(key);
      }
    },
  };
}
