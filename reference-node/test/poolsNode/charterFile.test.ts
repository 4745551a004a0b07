/**
 * A charter file given out of band (`pools[].charterFile`) holding a contract (Safe) member's signed
 * copy: the node's own validation pipeline checks it as it checks a received envelope, so the Safe's
 * contract (ERC-1271) is asked about its signature (envelope.md#verification rule 24). Before, the pool service built the pool state from the file
 * with `createPoolState`, which checks every signature by ecrecover: the Safe's copy (its owners' blob)
 * read ENVELOPE_BAD_SIGNATURE_ENCODING and was dropped, and the pool stayed unfounded until gossip
 * brought the copy (the same defect 9bece83 fixed for the store and a84a290 for decisions).
 */
import type { PoolCharter } from '@sfr/schemas/types';
import { getAddress } from 'viem';
import { expect, it } from 'vitest';
import { checkEnvelopeSchema, type Hex, sealEnvelope } from '../../src/envelope/index.js';
import type { ContractSignatures } from '../../src/validation/contractSignatures.js';
import { createValidationPipeline } from '../../src/validation/pipeline.js';
import { charterPayload, members, POOL_ID, PoolSigner, T0, VAULT } from '../pools/fixtures.js';
import { storeNodes } from './storeNode.js';

const SAFE = getAddress(`0x${'5afe'.repeat(10)}`);
const BLOB = `0x${'ab'.repeat(130)}` as Hex; // two owners' 65-byte signatures: not one ECDSA signature
const eoa = members([{ weight: 10, commit: 1000n }])[0]!;
const text: PoolCharter = (() => {
  const c = charterPayload(
    members([
      { weight: 10, commit: 1000n },
      { weight: 10, commit: 1000n },
    ]),
    { quorum: { weightBps: 5000, minMembers: 1 } },
  );
  return { ...c, members: [c.members[0]!, { ...c.members[1]!, member: SAFE }] };
})();

/** The Safe's signed copy of `text`, as its node published it. */
function safeCharter(issuedAt: number): { wire: string; id: Hex } {
  const sealed = sealEnvelope(
    {
      sfr: '1.0',
      type: 'PoolCharter',
      issuer: SAFE,
      seq: 1,
      issuedAt,
      scope: { poolId: POOL_ID, epoch: 0 },
      domain: { chainId: 8453, verifyingContract: VAULT as Hex },
      payload: JSON.parse(JSON.stringify(text)),
    },
    BLOB,
  );
  return { wire: new TextDecoder().decode(sealed.wire), id: sealed.messageId };
}

/** The node's contract members: the Safe, whose contract answers `answer` for its owners' blob. */
const safeContract = (answer: 'valid' | 'invalid'): ContractSignatures => ({
  isContract: (a) => a.toLowerCase() === SAFE.toLowerCase(),
  chainOf: () => 'eip155:8453',
  check: async (_issuer, _digest, signature) => (signature === BLOB ? answer : 'invalid'),
});

const nodes = storeNodes();

/**
 * A service of the EOA member given the charter file [Safe's copy, EOA's copy], on a node whose pipeline
 * knows the Safe as a contract member (`contracts`), as `sfr node start` builds it.
 */
async function startWithCharterFile(contracts: ContractSignatures) {
  const store = await nodes.store('sfr-charter-file-');
  const t = T0 - 60_000;
  const safe = safeCharter(t);
  const mine = await new PoolSigner().sign(eoa.key, 'PoolCharter', text, t + 1, 0);
  const service = await nodes.service(store, {
    key: eoa.key,
    pipeline: createValidationPipeline({
      limits: { maxMessageBytes: 65_536, skewMs: 30_000, maxAgeMs: 600_000 },
      contracts,
      checkSchema: checkEnvelopeSchema,
    }),
    // As attachPools reads a charter file: each envelope as its (canonical) JSON text.
    pools: [{ poolId: POOL_ID, charterMessages: [safe.wire, mine.wire] }],
    now: () => t + 2,
    tickMs: 60_000,
  });
  return { safe, mine, service };
}

it("a Safe member's copy in a charter file counts once its contract accepts the signature: the pool is founded", async () => {
  const { safe, mine, service: s } = await startWithCharterFile(safeContract('valid'));
  const view = s.view(POOL_ID);
  expect(view.refused).toEqual([]);
  expect(view.charters).toHaveLength(1);
  expect(view.charters[0]!.ids).toEqual([safe.id, mine.id].sort());
});

it('a copy its contract refuses is left out, ENVELOPE_BAD_SIGNATURE, and the pool is not founded on it', async () => {
  const { safe, service: s } = await startWithCharterFile(safeContract('invalid'));
  const view = s.view(POOL_ID);
  expect(view.charters).toEqual([]);
  expect(view.refused).toContainEqual({
    messageId: safe.id,
    outcome: 'reject',
    code: 'ENVELOPE_BAD_SIGNATURE',
  });
});
