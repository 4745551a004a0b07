/**
 * pools.md#attesting on the pool service: a vote by hand that arrives while this node's own automatic
 * judgement of the claim is still running (reading the evidence from chain, slow on a busy machine)
 * waits for that judgement and is then answered as any vote. Before, it was refused at once with
 * `CLAIM_DUPLICATE_VOTE` ("this member has already voted") though the member had not voted: seen in
 * contractMember.e2e beside `stress-ng --cpu 2`, where the Safe's node was still re-deriving when its
 * operator voted.
 */
import type { ClaimAttestation } from '@sfr/schemas/types';
import { expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import type { Envelope } from '../../src/envelope/index.js';
import type { Store } from '../../src/store/index.js';
import { charterPayload, HOUR, members, POOL_ID, PoolSigner } from '../pools/fixtures.js';
import { storeNodes } from './storeNode.js';

const ms = members([
  { weight: 10, commit: 10_000_000_000n },
  { weight: 10, commit: 10_000_000_000n },
  { weight: 10, commit: 10_000_000_000n },
]);
const b = ms[1]!.key.address.toLowerCase();
const nodes = storeNodes();

it('a manual vote during the automatic judgement of the claim waits for it, then is signed once', async () => {
  const store = await nodes.store('sfr-manual-vote-');
  const s = new PoolSigner();
  const start = Date.now();
  const text = charterPayload(ms, {
    effectiveAt: start - 2 * HOUR,
    windows: { votingMs: 600_000, challengeMs: 2_000, cooldownMs: 0 },
  });
  for (const [i, m] of ms.entries())
    await nodes.append(store, await s.sign(m.key, 'PoolCharter', text, start - HOUR + i, 0));
  // b's node re-derives every loss, but the chain answers only when the test lets it; its policy
  // leaves every claim to a manual vote once judged.
  let derivations = 0;
  let answer: () => void = () => {};
  const chainAnswers = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const service = await nodes.service(store, {
    key: ms[1]!.key,
    signer: s,
    pools: [{ poolId: POOL_ID }],
    policy: { enabled: false },
    deriveLoss: async () => {
      derivations += 1;
      await chainAnswers;
      return {
        ok: true,
        losses: [
          { kind: 'bad_debt_realized', amount: { usd: { value: '1000', decimals: 0 } }, derivation: 'test' },
        ],
      };
    },
    tickMs: 600_000,
  });
  const claim = await s.claim(ms[0]!.key, Date.now());
  await nodes.append(store, claim);
  await waitFor(() => derivations > 0, TIMEOUTS.event, "b's node judging the claim");

  // The operator votes while the judgement waits on the chain: the vote waits too (no refusal).
  let settled: 'voted' | Error | undefined;
  const vote = service.vote(claim.id, { verdict: 'approve' }).then(
    (r) => {
      settled = 'voted';
      return r;
    },
    (err: Error) => {
      settled = err;
      throw err;
    },
  );
  await new Promise((r) => setImmediate(r));
  expect(settled).toBeUndefined();
  answer();
  const r = await vote;
  expect(r.messageId).toMatch(/^0x[0-9a-f]{64}$/);

  // One vote by b, the operator's; the judgement had queued the claim and signed nothing.
  const votes = await votesOf(store, b);
  expect(votes).toHaveLength(1);
  expect((votes[0]!.payload as unknown as ClaimAttestation).verdict).toBe('approve');
  expect(service.getClaim(claim.id)).toMatchObject({ myVote: 'approve' });
  // A second vote by hand is the duplicate it says it is.
  await expect(service.vote(claim.id, { verdict: 'approve' })).rejects.toMatchObject({
    code: 'CLAIM_DUPLICATE_VOTE',
  });
});

/** The ClaimAttestation envelopes `issuer` signed, from the store. */
async function votesOf(st: Store, issuer: string): Promise<Envelope[]> {
  const r = await st.queryMessages({ type: 'ClaimAttestation', issuer, limit: 100 });
  if (!r.ok) throw new Error(r.detail);
  return r.messages.map((m) => JSON.parse(new TextDecoder().decode(m.wire)) as Envelope);
}
