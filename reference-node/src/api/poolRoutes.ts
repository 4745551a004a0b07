/**
 * The pool routes of the HTTP API (issue 6 item 7): file a claim, list claims and their state, get
 * one, vote by hand, show a pool's ledger, sign a charter. Mounted by `createApi` when it is given
 * a pool service. Bodies are @sfr/schemas payload documents; the claim and pool views have no
 * schema yet (their shape is the conformance `decide` claim, pools.md#harness).
 */
import type { ParameterSpec, RouteSpec } from './routes.js';

const COMMON = 'https://sfr.dev/schemas/v1/common.schema.json#/$defs/';

const POOL_ID: ParameterSpec = {
  name: 'poolId',
  in: 'path',
  required: true,
  description: 'The pool id (bytes32).',
  schema: { $ref: `${COMMON}PoolId` },
};
const CLAIM_ID: ParameterSpec = {
  name: 'claimId',
  in: 'path',
  required: true,
  description: 'The claim: the message id of its FundClaim.',
  schema: { $ref: `${COMMON}MessageId` },
};

export const POOL_ROUTES: readonly RouteSpec[] = [
  {
    method: 'POST',
    url: '/v1/pools/:poolId/claims',
    operationId: 'fileClaim',
    summary: 'Sign and publish a FundClaim as this node’s member',
    description:
      'The body is the FundClaim payload; the node checks it against the pool rules in force now (a refusal answers with its CLAIM_* code and nothing is signed), then signs, stores and gossips it.',
    tag: 'pools',
    auth: true,
    body: 'FundClaim',
    parameters: [POOL_ID],
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 404, 413, 415, 422, 429, 503],
  },
  {
    method: 'POST',
    url: '/v1/pools/:poolId/charter',
    operationId: 'signCharter',
    summary: 'Sign a PoolCharter text (founding or amendment) as this node’s member',
    tag: 'pools',
    auth: true,
    body: 'PoolCharter',
    parameters: [POOL_ID],
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 413, 415, 422, 429, 503],
  },
  {
    method: 'POST',
    url: '/v1/pools',
    operationId: 'foundPool',
    summary: 'Found a pool: sign its founding PoolCharter and have every member’s node co-sign it',
    description:
      'The body is the founding PoolCharter payload (epoch 0) listing this node’s member. The node checks the charter rules (a refusal answers with its POOL_* code and nothing is signed), signs, stores and publishes it, and nudges its peers to catch up: each member’s node then takes part in the pool and co-signs by its `policy.coSignCharters` (pools.md#founding). GET /v1/pools/:poolId shows each member’s signature under `founding`.',
    tag: 'pools',
    auth: true,
    body: 'PoolCharter',
    parameters: [],
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 413, 415, 422, 429, 503],
  },
  {
    method: 'POST',
    url: '/v1/pools/:poolId/notice',
    operationId: 'giveNotice',
    summary: 'Give this node’s member’s notice: sign the notice-only amendment that sets its leavingAt',
    description:
      'No body. The node signs and publishes the last adopted charter with epoch + 1, `effectiveAt` = now + `windows.votingMs`, and only its member’s `leavingAt` set: `leavingAt` when given, else the earliest the notice period allows (pools.md#giving-notice). The other members’ nodes co-sign it by their `policy.coSignNotices` (on unless set false); once adopted, the members’ nodes register it on the vault, whose bank-run guard then lets the member withdraw from `leavingAt`. GET /v1/pools/:poolId shows it under `notices` with who signed it. A `leavingAt` before the notice period ends is 422 `POOL_NOTICE_TOO_SHORT` naming the field and the earliest allowed; nothing is signed.',
    tag: 'pools',
    auth: true,
    parameters: [
      POOL_ID,
      {
        name: 'leavingAt',
        in: 'query',
        description:
          'When the membership ends, unix ms: at least now + votingMs + noticePeriodMs of the last adopted charter (the default), below 2^48.',
        schema: { type: 'integer', minimum: 0, maximum: 281_474_976_710_655 },
      },
    ],
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 404, 422, 429, 503],
  },
  {
    method: 'POST',
    url: '/v1/pools/:poolId/deposits',
    operationId: 'depositEscrow',
    summary: 'Deposit into this node’s member escrow in the pool’s vault',
    description:
      'The body names an amount in base units of the pool asset. The node’s sending account approves the vault when its allowance is short, then sends `deposit(poolId, member, amount)`, and answers once it is mined (settlement.md#escrow-from-the-node). A refusal answers with its VAULT_* code, nothing sent; an `idempotencyKey` repeated with the same body answers with the first transaction.',
    tag: 'pools',
    auth: true,
    body: 'EscrowRequest',
    parameters: [POOL_ID],
    ok: { status: 200, description: 'Mined.', schema: 'EscrowResponse' },
    problems: [400, 401, 404, 409, 413, 415, 422, 429, 502, 503],
  },
  {
    method: 'POST',
    url: '/v1/pools/:poolId/withdrawals',
    operationId: 'withdrawEscrow',
    summary: 'Withdraw from this node’s member escrow in the pool’s vault',
    description:
      'The body names an amount in base units of the pool asset. The member sends `withdraw(poolId, amount)` and the node answers once it is mined. The vault’s bank-run guard refuses it before anything is signed: 409 `POOL_WITHDRAWAL_LOCKED` with `expected` saying when it may be retried (the member’s notice must run out, and no claim it is liable for may be held open).',
    tag: 'pools',
    auth: true,
    body: 'EscrowRequest',
    parameters: [POOL_ID],
    ok: { status: 200, description: 'Mined.', schema: 'EscrowResponse' },
    problems: [400, 401, 404, 409, 413, 415, 422, 429, 502, 503],
  },
  {
    method: 'POST',
    url: '/v1/pools/:poolId/claims/:claimId/settle',
    operationId: 'settleClaim',
    summary: 'Submit an approved claim’s settlement to the pool’s vault now',
    description:
      'Whatever this node’s rank among the approvers (settlement.md#settling-exactly-once rule 5): the node simulates `settle` with the approvers’ signatures it holds and sends it from its sending account, answering once it is mined. Idempotent: a claim already settled, by this node or another, answers its settlement and sends nothing (`byThisNode` says whose transaction it was). The vault’s refusal is 409 with its `VAULT_*` code and, when known, `expected` saying when a retry can pass (e.g. `VAULT_TOO_EARLY` until the challenge window has passed); a claim not decided or not approved above 0 is 409 `VAULT_NOT_SETTLEABLE`.',
    tag: 'pools',
    auth: true,
    body: 'SettleRequest',
    parameters: [POOL_ID, CLAIM_ID],
    ok: { status: 200, description: 'Settled on the vault.', schema: 'SettleResponse' },
    problems: [400, 401, 404, 409, 413, 415, 422, 429, 502, 503],
  },
  {
    method: 'GET',
    url: '/v1/pools/:poolId',
    operationId: 'getPool',
    summary: 'A pool: adopted charters, claims, equivocations, refusals and the ledger',
    tag: 'pools',
    auth: false,
    parameters: [POOL_ID],
    ok: { status: 200, description: 'The pool view (amounts as decimal strings).' },
    problems: [400, 404, 429],
  },
  {
    method: 'GET',
    url: '/v1/claims',
    operationId: 'listClaims',
    summary: 'Claims of the pools this node takes part in, with their state and this node’s vote',
    tag: 'pools',
    auth: false,
    parameters: [
      { name: 'pool', in: 'query', description: 'Only this pool.', schema: { $ref: `${COMMON}PoolId` } },
      {
        name: 'status',
        in: 'query',
        description: 'Only claims in this state.',
        schema: { enum: ['attesting', 'approved', 'rejected', 'expired', 'settled'] },
      },
    ],
    ok: { status: 200, description: '`{items: [claim…]}`, oldest filing first.' },
    problems: [400, 429],
  },
  {
    method: 'GET',
    url: '/v1/claims/:claimId',
    operationId: 'getClaim',
    summary: 'One claim with its state, tally, decision and this node’s part',
    tag: 'pools',
    auth: false,
    parameters: [CLAIM_ID],
    ok: { status: 200, description: 'The claim.' },
    problems: [400, 404, 429],
  },
  {
    method: 'POST',
    url: '/v1/claims/:claimId/votes',
    operationId: 'voteOnClaim',
    summary: 'Vote by hand on a claim still attesting (sign a ClaimAttestation)',
    description:
      'The body is a ClaimAttestation payload naming this claim and round 0; the node signs it with its own evidence checks.',
    tag: 'pools',
    auth: true,
    body: 'ClaimAttestation',
    parameters: [CLAIM_ID],
    ok: { status: 201, description: 'Signed, stored and published.', schema: 'SubmitResponse' },
    problems: [400, 401, 404, 413, 415, 422, 429, 503],
  },
];
