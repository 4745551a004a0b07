import {
  type Envelope,
  type EnvelopeDomain,
  type Hex,
  signEnvelope,
  type UnsignedEnvelope,
} from '../envelope/index.js';
import { stringifyTopic, topicForEnvelope } from '../network/topics.js';
import type { SfrNode } from '../node/index.js';
import { runValidation } from '../validation/gossipAdapter.js';
import { PoolServiceError } from './poolServiceError.js';

export type PoolPublishOptions = {
  /** The pool scope; EquivocationEvidence carries none (it travels on the evidence topic). */
  readonly scope: { readonly poolId: string; readonly epoch: number } | null;
  /** The EIP-712 domain the pool's charter requires (pools.md#charter: settlement on an eip155 chain). */
  readonly domain?: { readonly chainId: number; readonly verifyingContract: string } | null;
};

/** Signs and publishes one pool message as the local member; resolves once it is durably stored. */
export type PoolPublisher = (
  type: 'PoolCharter' | 'FundClaim' | 'ClaimAttestation' | 'ClaimDecision' | 'EquivocationEvidence',
  payload: Record<string, unknown>,
  options: PoolPublishOptions,
) => Promise<{ readonly messageId: Hex; readonly envelope: Envelope }>;

/**
 * The node's publish path for pool messages, which carry an envelope `domain` that
 * `SfrNode.publish` does not set yet: reserve the next sequence number, sign through the store's
 * persist-then-sign journal (`guard: node.store`), run the node's own validation pipeline (which
 * stores the message), then gossip it on the pool topic. A refusal throws a `PoolServiceError`
 * with the pipeline's reason code; nothing is gossiped.
 */
export function createNodePoolPublisher(
  node: Pick<SfrNode, 'member' | 'store' | 'pipeline' | 'router'>,
  memberKey: Hex,
  now: () => number = Date.now,
): PoolPublisher {
  return async (type, payload, options) => {
    const seq = await node.store.reserveSeq(node.member);
    const unsigned: UnsignedEnvelope = {
      sfr: '1.0',
      type,
      issuer: node.member as Hex,
      seq,
      issuedAt: now(),
      ...(options.scope === null
        ? {}
        : { scope: { poolId: options.scope.poolId as Hex, epoch: options.scope.epoch } }),
      ...(options.domain ? { domain: options.domain as EnvelopeDomain } : {}),
      payload: payload as UnsignedEnvelope['payload'],
    };
    const signed = await signEnvelope({ privateKey: memberKey, unsigned, guard: node.store });
    const result = await runValidation(node.pipeline, signed.wire, { source: 'local', from: 'local' });
    if (result.outcome !== 'accept') {
      throw new PoolServiceError(result.code, `own ${type} refused by the pipeline: ${result.code}`, {
        details: { ...(result.meta ?? {}) },
        section: 'envelope.md#verification',
      });
    }
    const topic = topicForEnvelope(type, options.scope?.poolId);
    if (topic !== undefined) await node.router.publish(stringifyTopic(topic), signed.wire);
    return { messageId: result.id as Hex, envelope: result.envelope as unknown as Envelope };
  };
}
