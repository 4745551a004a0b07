/**
 * The proposal routes of the HTTP API (api.md#routes): a multisig member's node lists the envelopes it
 * proposes and takes its owners' co-signatures (node.md#multisig-members). Mounted by `createApi`
 * when the node signs as a multisig member.
 */
import type { RouteSpec } from './routes.js';

const PROPOSAL_ID = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The proposal id: the envelope digest.',
  schema: { $ref: 'https://sfr.dev/schemas/v1/common.schema.json#/$defs/Bytes32' },
} as const;

export const PROPOSAL_ROUTES: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/v1/proposals',
    operationId: 'listProposals',
    summary: 'The envelopes this multisig member’s node proposes, with their co-signatures',
    description:
      'Each with its digest, the Safe message hash the owners sign, the signatures so far, the threshold as last read from the chain, its status and expiry, oldest first.',
    tag: 'keys',
    auth: false,
    ok: { status: 200, description: 'The proposals.', schema: 'ProposalListResponse' },
    problems: [429],
  },
  {
    method: 'GET',
    url: '/v1/proposals/:id',
    operationId: 'getProposal',
    summary: 'One proposal: its co-signatures, status, and the message id once published',
    description:
      'The `Location` of every 202 answer of this node’s write routes. Refused KEY_PROPOSAL_UNKNOWN (404) for a proposal this node does not hold.',
    tag: 'keys',
    auth: false,
    parameters: [PROPOSAL_ID],
    ok: { status: 200, description: 'The proposal.', schema: 'Proposal' },
    problems: [400, 404, 429],
  },
  {
    method: 'POST',
    url: '/v1/proposals/:id/signatures',
    operationId: 'signProposal',
    summary: 'Add one owner’s signature of a proposal’s Safe message hash',
    description:
      'Checked against the owners the chain reports now: refused KEY_PROPOSAL_BAD_SIGNATURE (malformed), KEY_PROPOSAL_NOT_OWNER, KEY_PROPOSAL_DUPLICATE_OWNER (422), KEY_PROPOSAL_EXPIRED or KEY_PROPOSAL_CLOSED (409), KEY_PROPOSAL_UNKNOWN (404), KEY_SIGNER_UNAVAILABLE when the chain cannot answer (503). When the owners’ signatures meet the threshold, the node assembles the contract signature and publishes the envelope through its one publish path before it answers (`status` `published` with `messageId`, or `refused` with `code`).',
    tag: 'keys',
    auth: true,
    body: 'SignProposalRequest',
    parameters: [PROPOSAL_ID],
    ok: { status: 200, description: 'The proposal after the signature.', schema: 'Proposal' },
    problems: [400, 401, 404, 409, 413, 415, 422, 429, 503],
  },
];

/**
 * The write routes as a multisig member's node answers them (node.md#multisig-members rule 5): every
 * route that would answer `201 SubmitResponse` answers `202 Proposal`, its `Location` the proposal's
 * `GET /v1/proposals/{id}`.
 */
export function asProposalRoutes(routes: readonly RouteSpec[]): RouteSpec[] {
  return routes.map((r) =>
    r.ok.status === 201 && r.ok.schema === 'SubmitResponse'
      ? {
          ...r,
          ok: {
            status: 202,
            description:
              'Held as a proposal its owners co-sign (POST /v1/proposals/{id}/signatures); published once their signatures meet the threshold. `Location`: GET /v1/proposals/{id}.',
            schema: 'Proposal',
          },
        }
      : r,
  );
}
