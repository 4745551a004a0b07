import { randomUUID } from 'node:crypto';
import type {
  ClaimAttestation,
  EscrowRequest,
  FundClaim,
  PoolCharter,
  SettleRequest,
  SettleResponse,
  SubmitResponse,
} from '@sfr/schemas';
import { isMessageId, isPoolId, isRegisteredReasonCode } from '@sfr/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Hex } from 'viem';
import type { Logger } from '../logging/index.js';
import { MAX_LEAVING_AT } from '../poolsNode/giveNotice.js';
import {
  type EscrowAction,
  moveEscrow,
  type PoolService,
  PoolServiceError,
  type WriteOptions,
} from '../poolsNode/index.js';
import { VaultError } from '../settlement/index.js';
import { heldProposal, sendProposal } from './createProposalHandlers.js';
import { badParameter, HEX32, intParam, pathParam, readQuery } from './params.js';
import { parseBody } from './parseBody.js';
import { ApiProblem } from './problem.js';

/** What the pool routes need from the node's pool service. */
export type PoolApi = Pick<
  PoolService,
  | 'listClaims'
  | 'getClaim'
  | 'fileClaim'
  | 'vote'
  | 'poolJson'
  | 'poolIds'
  | 'signCharter'
  | 'foundPool'
  | 'giveNotice'
  | 'vaultFor'
  | 'settleNow'
>;

const POOL_ID = HEX32;
const MESSAGE_ID = HEX32;
const STATUSES = new Set(['attesting', 'approved', 'rejected', 'expired', 'settled']);
/** Codes that mean "no such thing here" rather than "refused". */
const NOT_FOUND = new Set(['POOL_NOT_FOUNDED', 'CLAIM_UNKNOWN']);

/** HTTP status of a vault error (settlement.md#escrow-from-the-node); the vault's own refusals are 422 (409 on the settle route). */
const VAULT_STATUS: Record<string, number> = {
  POOL_WITHDRAWAL_LOCKED: 409,
  VAULT_NOT_FOLLOWED: 409,
  VAULT_NO_SENDER: 409,
  VAULT_RPC_UNAVAILABLE: 503,
  VAULT_TX_PENDING: 503,
  VAULT_TX_REVERTED: 502,
  VAULT_TX_REPLACED: 502,
};

const isoOf = (ms: unknown): string => new Date(Number(ms)).toISOString();

/** What must hold before a refused request can pass, by the refusal's code and arguments. */
const EXPECTED: Record<string, (args: readonly unknown[]) => string> = {
  /** The bank-run guard's refusal `POOL_WITHDRAWAL_LOCKED(reason, until)`. */
  POOL_WITHDRAWAL_LOCKED: ([reason, until]) =>
    Number(reason) === 0
      ? 'notice given first (sfr pool leave, POST /v1/pools/{poolId}/notice: pools.md#giving-notice), then a retry once its leavingAt has passed'
      : Number(reason) === 1
        ? `a retry at or after ${isoOf(until)} (chain time), when this member’s notice ends`
        : `a retry at or after ${isoOf(until)} (chain time), when the open claim’s hold ends, or once it settles`,
  VAULT_NOT_FOLLOWED: ([missing]) =>
    `${String(missing ?? 'a pool whose charter settles at a vault on an eip155 chain this node has an RPC for')} (settlement.md#following-the-vault)`,
  VAULT_NO_SENDER: ([member]) =>
    member === undefined
      ? 'a node given a sending account: the member key of an EOA member, or identity.sender (settlement.md#sending)'
      : `identity.sender in the node config: a key that pays for the vault transactions of the contract member ${String(member)} (settlement.md#sending)`,
  VAULT_TOO_EARLY: ([notBefore]) =>
    `a retry at or after ${isoOf(notBefore)} (chain time), when the claim’s challenge window has passed`,
  VAULT_QUORUM_NOT_MET: () =>
    'a retry once the approvers’ settlement signatures this node holds (on their ClaimDecisions) meet the quorum',
  VAULT_OUT_OF_ORDER: () =>
    'a retry once the pool’s claims decided earlier are settled: the vault records payouts in decision order',
  VAULT_NOT_SETTLEABLE: ([closesAt]) =>
    closesAt === undefined
      ? 'a claim approved for an amount above 0'
      : `a retry once the claim’s round closes at ${isoOf(closesAt)} with an approval`,
};

/** A vault error as a problem: its reason code and arguments, and when known what a retry needs. */
function vaultProblem(error: VaultError, refused = 422): ApiProblem {
  // VAULT_NOT_FOLLOWED's one argument is what the node lacks: shown once, as `expected`.
  const shown =
    error.code === 'VAULT_NOT_FOLLOWED'
      ? []
      : error.args.map((a) => (typeof a === 'bigint' ? a.toString() : String(a)));
  const expected = EXPECTED[error.code]?.(error.args);
  return new ApiProblem({
    status: VAULT_STATUS[error.code] ?? refused,
    code: error.code,
    title:
      error.code.startsWith('VAULT_TX') || error.code === 'VAULT_RPC_UNAVAILABLE'
        ? 'The settlement chain did not take the transaction'
        : 'The vault refuses this',
    detail: `${error.message.split('\n')[0]}${shown.length > 0 ? ` [${shown.join(', ')}]` : ''}`.slice(
      0,
      300,
    ),
    ...(expected === undefined ? {} : { expected }),
  });
}

/** A pool service error as a problem, keeping its reason code (404 for an unknown pool or claim). */
export function poolProblem(error: unknown, log?: Logger): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof VaultError) return vaultProblem(error);
  if ((error as { code?: unknown }).code === 'API_IDEMPOTENCY_CONFLICT')
    return new ApiProblem({
      status: 409,
      code: 'API_IDEMPOTENCY_CONFLICT',
      field: 'idempotencyKey',
      expected: 'a new key for a different request, or the body first sent with this key',
      detail: 'this idempotency key was used with another body',
    });
  if (error instanceof PoolServiceError) {
    // A refusal of a query parameter names it and what it expected (api.md#errors).
    const { field, expected } = error.details as { field?: unknown; expected?: unknown };
    if (error.code.startsWith('STORE_'))
      return new ApiProblem({
        status: 503,
        code: 'API_STORE_UNHEALTHY',
        detail: `${error.code}: ${error.message}`,
      });
    return new ApiProblem({
      status: NOT_FOUND.has(error.code) ? 404 : 422,
      code: error.code,
      title: NOT_FOUND.has(error.code) ? 'Not found' : 'The pool rules refuse this',
      detail: error.message.slice(0, 300),
      ...(typeof field === 'string' ? { field } : {}),
      ...(typeof expected === 'string' ? { expected } : {}),
    });
  }
  const code = (error as { code?: unknown }).code;
  if (isRegisteredReasonCode(code))
    return new ApiProblem({
      status: 422,
      code,
      title: 'The node refused the message',
      detail: String((error as Error).message).slice(0, 300),
    });
  log?.error({ err: { message: (error as Error)?.message } }, 'pool operation failed');
  return new ApiProblem({ status: 500, code: 'API_PUBLISH_FAILED' });
}

const submitted = (r: { messageId: string; envelope: { seq: number } }): SubmitResponse =>
  ({ messageId: r.messageId, seq: r.envelope.seq, envelope: r.envelope }) as unknown as SubmitResponse;

/** Handlers of `POOL_ROUTES`, by operation id. */
export function createPoolHandlers(p: {
  pools: PoolApi;
  bodyLimit: number;
  logger?: Logger;
  /**
   * The node signs as a multisig member (node.md#multisig-members): each write answers 202 with the
   * proposal as soon as the node holds it, not once its owners co-signed it.
   */
  proposing?: boolean;
}): Record<string, (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>> {
  const { pools } = p;
  /** Runs one write of the pool service and answers 201 with the message, or 202 with its proposal. */
  const write = async (
    reply: FastifyReply,
    what: string,
    start: (options: WriteOptions) => Promise<{ messageId: string; envelope: { seq: number } }>,
  ) => {
    if (p.proposing === true)
      return sendProposal(
        reply,
        await heldProposal(
          what,
          (onProposal) => start({ onProposal }),
          (e) => poolProblem(e, p.logger),
          p.logger,
        ),
      );
    return reply.code(201).send(submitted(await run(() => start({}))));
  };
  const run = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (error) {
      throw poolProblem(error, p.logger);
    }
  };
  /** settlement.md#escrow-from-the-node: one transaction per idempotency key (the sender's journal keeps it). */
  const escrow = async (req: FastifyRequest, action: EscrowAction) => {
    readQuery(req, []);
    const poolId = pathParam(req, 'poolId', POOL_ID, 'a pool id: 0x and 64 lower-case hex digits');
    const body = parseBody<EscrowRequest>(req, 'EscrowRequest', p.bodyLimit);
    return run(async () => {
      const vault = pools.vaultFor(poolId);
      const key = `api:${action}:${poolId}:${body.idempotencyKey ?? randomUUID()}`;
      return moveEscrow({ vault, poolId: poolId as Hex, action, amount: BigInt(body.amount), key });
    });
  };
  return {
    fileClaim: async (req, reply) => {
      readQuery(req, []);
      const poolId = pathParam(req, 'poolId', POOL_ID, 'a pool id: 0x and 64 lower-case hex digits');
      const claim = parseBody<FundClaim>(req, 'FundClaim', p.bodyLimit);
      if (claim.poolId.toLowerCase() !== poolId)
        throw new ApiProblem({
          status: 422,
          code: 'POOL_SCOPE_MISMATCH',
          pointer: '/poolId',
          detail: 'the body names another pool than the path',
        });
      return write(reply, 'FundClaim', (options) => pools.fileClaim(claim, options));
    },
    signCharter: async (req, reply) => {
      readQuery(req, []);
      const poolId = pathParam(req, 'poolId', POOL_ID, 'a pool id: 0x and 64 lower-case hex digits');
      const charter = parseBody<PoolCharter>(req, 'PoolCharter', p.bodyLimit);
      if (charter.poolId.toLowerCase() !== poolId)
        throw new ApiProblem({
          status: 422,
          code: 'POOL_SCOPE_MISMATCH',
          pointer: '/poolId',
          detail: 'the body names another pool than the path',
        });
      return write(reply, 'PoolCharter', (options) => pools.signCharter(charter, options));
    },
    foundPool: async (req, reply) => {
      readQuery(req, []);
      const charter = parseBody<PoolCharter>(req, 'PoolCharter', p.bodyLimit);
      return write(reply, 'PoolCharter', (options) => pools.foundPool(charter, options));
    },
    /** pools.md#giving-notice: the notice-only amendment, signed here; the others' nodes co-sign it. */
    giveNotice: async (req, reply) => {
      const q = readQuery(req, ['leavingAt']);
      const poolId = pathParam(req, 'poolId', POOL_ID, 'a pool id: 0x and 64 lower-case hex digits');
      const leavingAt = intParam(q, 'leavingAt', 0, MAX_LEAVING_AT);
      return write(reply, 'PoolCharter', (options) => pools.giveNotice(poolId, leavingAt, options));
    },
    depositEscrow: (req) => escrow(req, 'deposit'),
    /** settlement.md#settling-exactly-once rule 5: the vault's refusal is a 409 with its code and when to retry. */
    settleClaim: async (req) => {
      readQuery(req, []);
      const poolId = pathParam(req, 'poolId', isPoolId, 'a pool id: 0x and 64 lower-case hex digits');
      const claimId = pathParam(req, 'claimId', isMessageId, 'a message id: 0x and 64 lower-case hex digits');
      parseBody<SettleRequest>(req, 'SettleRequest', p.bodyLimit);
      try {
        const r = await pools.settleNow(poolId, claimId);
        if (r.state !== 'settled')
          throw new VaultError(
            (r.code ?? 'VAULT_TX_PENDING') as VaultError['code'],
            `the claim is not settled: ${r.code ?? 'a settle transaction is pending'}`,
            { section: 'settling-exactly-once', args: r.args ?? [] },
          );
        const vault = pools.vaultFor(poolId);
        const decision = pools.getClaim(claimId)?.decision as { approvedAmount?: string } | null | undefined;
        const answer: SettleResponse = {
          poolId,
          claimId,
          chain: vault.chain,
          vault: vault.vault,
          ...(vault.asset === null ? {} : { asset: vault.asset }),
          amount: decision?.approvedAmount ?? '0',
          transactionHash: r.hash ?? null,
          blockNumber: r.blockNumber ?? null,
          byThisNode: r.byThisNode === true,
          paid: r.paid ?? null,
          remaining: r.remaining ?? null,
        };
        return answer;
      } catch (error) {
        throw error instanceof VaultError ? vaultProblem(error, 409) : poolProblem(error, p.logger);
      }
    },
    withdrawEscrow: (req) => escrow(req, 'withdraw'),
    getPool: async (req) => {
      readQuery(req, []);
      const poolId = pathParam(req, 'poolId', POOL_ID, 'a pool id: 0x and 64 lower-case hex digits');
      return run(async () => pools.poolJson(poolId));
    },
    listClaims: async (req) => {
      const q = readQuery(req, ['pool', 'status']);
      if (q['pool'] !== undefined && !POOL_ID.test(q['pool']))
        throw badParameter('pool', 'a pool id: 0x and 64 lower-case hex digits');
      if (q['status'] !== undefined && !STATUSES.has(q['status']))
        throw badParameter('status', [...STATUSES].join(' | '));
      const items = pools
        .listClaims(q['pool'] === undefined ? {} : { poolId: q['pool'] })
        .filter((c) => q['status'] === undefined || c.status === q['status']);
      return { items };
    },
    getClaim: async (req) => {
      readQuery(req, []);
      const claimId = pathParam(req, 'claimId', MESSAGE_ID, 'a message id: 0x and 64 lower-case hex digits');
      const c = pools.getClaim(claimId);
      if (c === undefined)
        throw new ApiProblem({
          status: 404,
          code: 'CLAIM_UNKNOWN',
          title: 'Not found',
          detail: 'no admitted claim has this id',
        });
      return c;
    },
    voteOnClaim: async (req, reply) => {
      readQuery(req, []);
      const claimId = pathParam(req, 'claimId', MESSAGE_ID, 'a message id: 0x and 64 lower-case hex digits');
      const a = parseBody<ClaimAttestation>(req, 'ClaimAttestation', p.bodyLimit);
      if (a.claimId !== claimId)
        throw new ApiProblem({
          status: 422,
          code: 'API_BAD_PARAMETER',
          pointer: '/claimId',
          detail: 'the body names another claim than the path',
        });
      if (a.round !== 0)
        throw new ApiProblem({
          status: 422,
          code: 'CLAIM_ROUND_NOT_OPEN',
          pointer: '/round',
          detail: 'v1.0 decides each claim in round 0',
        });
      return write(reply, 'ClaimAttestation', (options) =>
        pools.vote(
          claimId,
          {
            verdict: a.verdict,
            ...(a.approvedAmount === undefined ? {} : { approvedAmount: a.approvedAmount }),
            ...(a.reasonCode === undefined ? {} : { reasonCode: a.reasonCode }),
            ...(a.note === undefined ? {} : { note: a.note }),
          },
          options,
        ),
      );
    },
  };
}
