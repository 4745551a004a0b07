import type { Proposal, ProposalListResponse, SignProposalRequest } from '@sfr/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyError } from '../keys/index.js';
import type { Logger } from '../logging/index.js';
import { HEX32, pathParam } from './params.js';
import { parseBody } from './parseBody.js';
import { ApiProblem } from './problem.js';

/** What the proposal routes need from a multisig member's signer (node.md#multisig-members). */
export interface ProposalApi {
  list(): Proposal[];
  get(id: string): Proposal | undefined;
  addSignature(id: string, signature: string): Promise<Proposal>;
}

/** The `:id` path parameter, checked. */
const proposalId = (req: FastifyRequest): string =>
  pathParam(req, 'id', HEX32, 'a proposal id: 0x and 64 lower-case hex digits');
/** What a refused co-signature should have been (the problem's `expected`). */
const EXPECTED_OF: Partial<Record<string, string>> = {
  KEY_PROPOSAL_UNKNOWN: 'the id of a proposal this node holds (GET /v1/proposals)',
  KEY_PROPOSAL_EXPIRED: 'a pending proposal, before its expiresAt',
  KEY_PROPOSAL_CLOSED: 'a pending proposal (this one is published or refused)',
  KEY_PROPOSAL_BAD_SIGNATURE: '65 bytes r ‖ s ‖ v of safeMessageHash, low-s, v 27 or 28',
  KEY_PROPOSAL_NOT_OWNER: 'a signature of safeMessageHash by a current owner of the Safe',
  KEY_PROPOSAL_DUPLICATE_OWNER: 'a signature by an owner who has not signed this proposal',
};
/** [sfr] HTTP status of each refusal of a co-signature (api.md#routes). */
const STATUS_OF: Partial<Record<string, number>> = {
  KEY_PROPOSAL_UNKNOWN: 404,
  KEY_PROPOSAL_EXPIRED: 409,
  KEY_PROPOSAL_CLOSED: 409,
  KEY_SIGNER_UNAVAILABLE: 503,
};

/** Where a proposal's status is read (`getProposal`): the `Location` of a 202 answer. */
export const proposalUrl = (id: string): string => `/v1/proposals/${id}`;

/**
 * node.md#multisig-members rule 5: runs a write whose publication is a proposal (`start` passes
 * `onProposal` to the node's publish path) and resolves with the proposal as soon as the node holds
 * it. A refusal before that rejects with `toProblem(error)`; the publication itself settles later,
 * when the owners co-sign (or the proposal expires), and is only logged.
 */
export function heldProposal(
  what: string,
  start: (onProposal: (proposal: Proposal) => void) => Promise<{ readonly messageId: string }>,
  toProblem: (error: unknown) => unknown,
  log?: Logger,
): Promise<Proposal> {
  return new Promise<Proposal>((resolve, reject) => {
    let held = false;
    start((proposal) => {
      held = true;
      resolve(proposal);
    }).then(
      (published) => log?.info({ what, messageId: published.messageId }, 'proposal published'),
      (error: unknown) => {
        if (!held) reject(toProblem(error));
        log?.warn({ what, err: { message: (error as Error).message } }, 'proposal not published');
      },
    );
  });
}

/** The answer to a write on a multisig member's node: 202, the proposal, and where to follow it. */
export const sendProposal = (reply: FastifyReply, proposal: Proposal): FastifyReply =>
  reply.code(202).header('location', proposalUrl(proposal.id)).send(proposal);

/** Handlers of `PROPOSAL_ROUTES`, by operation id. */
export function createProposalHandlers(p: {
  readonly proposals: ProposalApi;
  readonly bodyLimit: number;
  readonly logger?: Logger;
}): Record<string, (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>> {
  return {
    listProposals: async () =>
      ({ proposals: p.proposals.list().slice(-1024) }) satisfies ProposalListResponse,
    getProposal: async (req) => {
      const proposal = p.proposals.get(proposalId(req));
      if (proposal === undefined)
        throw new ApiProblem({
          status: 404,
          code: 'KEY_PROPOSAL_UNKNOWN',
          title: 'Not found',
          field: 'id',
          expected: EXPECTED_OF['KEY_PROPOSAL_UNKNOWN']!,
        });
      return proposal;
    },
    signProposal: async (req, reply) => {
      const id = proposalId(req);
      const request = parseBody<SignProposalRequest>(req, 'SignProposalRequest', p.bodyLimit);
      let proposal: Proposal;
      try {
        proposal = await p.proposals.addSignature(id, request.signature.toLowerCase());
      } catch (error) {
        if (!(error instanceof KeyError)) throw error;
        throw new ApiProblem({
          status: STATUS_OF[error.code] ?? 422,
          code: error.code,
          title: 'The co-signature is refused',
          pointer: '/signature',
          ...(EXPECTED_OF[error.code] === undefined ? {} : { expected: EXPECTED_OF[error.code]! }),
          detail: error.message.split('\n')[0]!.slice(0, 500),
        });
      }
      p.logger?.info(
        { proposal: id, signatures: proposal.signatures.length, status: proposal.status },
        'proposal co-signed',
      );
      return reply.code(200).send(proposal);
    },
  };
}
