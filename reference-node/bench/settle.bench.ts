/**
 * Gas of the vault's `settle` (spec/v1/settlement.md#settling) for pools of 5, 20 and 100 members,
 * against a baseline measured in the same run: the same signatures over the same digest checked by
 * a bare `ecrecover` loop contract (reference-node/contracts/test/EcrecoverLoop.sol). The signers
 * are the smallest quorum (2/3 of the eligible weight, equal weights); every eligible member
 * contributes. Gas is the mined transactions' `gasUsed` on anvil (cancun), so calldata is included
 * on both sides.
 * Run: npm run bench -- settle   (or npx tsx reference-node/bench/settle.bench.ts)
 */
import { createRequire } from 'node:module';
import type { Hex } from 'viem';
import { ecrecoverLoop, settle, signForVault } from '../src/settlement/index.js';
import {
  charterTerms,
  foundPool,
  HOUR,
  memberAccount,
  settlementOf,
  startVaultChain,
  U,
} from '../test/settlement/fixtures.js';

const require = createRequire(import.meta.url);
const SIZES = [5, 20, 100];
/** Quorum of the bench pools: two thirds of the eligible weight. */
const QUORUM_BPS = 6667;

const chain = await startVaultChain();
try {
  const baseline = await chain.anvil.deploy(ecrecoverLoop);
  console.log(
    `anvil ${require('@foundry-rs/anvil-linux-amd64/package.json').version}, solc-js ${require('solc/package.json').version} (optimizer 200 runs), viem ${require('viem/package.json').version}`,
  );
  console.log('members | signatures | settle gas | ecrecover-loop gas | ratio');
  for (const [k, n] of SIZES.entries()) {
    const accounts = Array.from({ length: n }, (_, i) => memberAccount(1000 + i));
    const terms = charterTerms(
      chain,
      accounts.map((a) => ({ address: a.address })),
      { poolId: `0x${(k + 1).toString(16).padStart(64, '0')}` as Hex, quorumBps: QUORUM_BPS },
    );
    await foundPool(chain, terms, accounts);
    const claimant = accounts[0]!;
    const filedAt = await chain.nowMs();
    await chain.advance(HOUR);
    const s = settlementOf(terms, {
      claimId: `0x${(k + 1).toString(16).padStart(64, 'c')}` as Hex,
      claimant: claimant.address,
      amount: 100n * U + 7n,
      filedAt,
      decidedAt: filedAt + HOUR,
    });
    const eligible = n - 1;
    const needed = Math.ceil((eligible * QUORUM_BPS) / 10_000);
    const signers = accounts.slice(1, 1 + needed);
    const sigs = await Promise.all(signers.map((a) => signForVault(a, chain.domain, { settlement: s })));
    const settleGas = (
      await settle({
        client: chain.anvil.client as never,
        vault: chain.vault,
        settlement: s,
        signatures: sigs.map(({ signer, signature }) => ({ signer, signature })),
      })
    ).gasUsed;
    const baseGas = (
      await chain.anvil.write(baseline, ecrecoverLoop.abi, 'check', [
        sigs[0]!.digest,
        sigs.map((x) => x.signer),
        sigs.map((x) => x.signature),
      ])
    ).gasUsed;
    console.log(
      `${String(n).padStart(7)} | ${String(sigs.length).padStart(10)} | ${String(settleGas).padStart(10)} | ${String(baseGas).padStart(18)} | ${(Number(settleGas) / Number(baseGas)).toFixed(2)}`,
    );
  }
} finally {
  await chain.anvil.stop();
}
