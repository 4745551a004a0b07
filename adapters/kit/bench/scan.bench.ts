// Adapter scan and evidence-verification cost on anvil, beside a baseline measured in the same run:
// a bare viem eth_getLogs + decodeEventLog of the same range (what any indexer pays at least).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { type AbiEvent, createPublicClient, decodeEventLog, http, parseAbi } from 'viem';
import { buildRecoveryEvent, createChainAdapter, type EvidenceRef, logKey } from '../src/index.js';
import { compileSolidity, startAnvil } from '../src/testing/index.js';

const require = createRequire(import.meta.url);
const source = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;
contract Emitter {
    event Paused(address account);
    function pauseMany(uint256 n) external { for (uint256 i = 0; i < n; i++) emit Paused(msg.sender); }
}`;
const txs = 20;
const perTx = 100;
const runs = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const anvil = await startAnvil();
try {
  const { Emitter } = await compileSolidity({ 'Emitter.sol': source });
  const address = await anvil.deploy(Emitter!);
  const start = await anvil.client.getBlockNumber();
  for (let i = 0; i < txs; i++) await anvil.write(address, Emitter!.abi, 'pauseMany', [BigInt(perTx)]);
  const end = await anvil.client.getBlockNumber();
  const event = parseAbi(['event Paused(address account)'])[0] as AbiEvent;
  const client = createPublicClient({ transport: http(anvil.rpcUrl) });

  const baseline: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const logs = await client.getLogs({ address, fromBlock: start + 1n, toBlock: end });
    for (const log of logs) decodeEventLog({ abi: [event], topics: log.topics, data: log.data });
    baseline.push(performance.now() - t);
  }

  const scans: number[] = [];
  let refs: EvidenceRef[] = [];
  for (let r = 0; r < runs; r++) {
    const adapter = createChainAdapter(
      {
        protocol: 'bench',
        events: [{ abi: event, emitters: [address] }],
        map: (logs, ctx) =>
          logs.map((log) =>
            buildRecoveryEvent(ctx, {
              key: logKey(ctx.protocol, log.ref),
              kind: 'emergency_pause',
              severity: 'high',
              occurredAt: log.timestamp,
              contracts: [log.address],
              evidence: [log.ref],
            }),
          ),
        exposure: () => ({ contracts: [address], assets: [], oracleFeeds: [], protocols: [] }),
      },
      { chainId: 31337, rpcUrl: anvil.rpcUrl, startBlock: start + 1n },
    );
    const t = performance.now();
    const result = await adapter.poll();
    scans.push(performance.now() - t);
    if (result.outputs.length !== txs * perTx)
      throw new Error(`expected ${txs * perTx} outputs, got ${result.outputs.length}`);
    refs = result.outputs.map((o) => o.payload.evidence![0]!);
    if (r === runs - 1) {
      const verify: number[] = [];
      for (const ref of refs.slice(0, 200)) {
        const t1 = performance.now();
        const verdict = await adapter.verifyEvidence(ref);
        verify.push(performance.now() - t1);
        if (!verdict.ok) throw new Error(`evidence refused: ${verdict.code}`);
      }
      console.log(
        `viem ${require('viem/package.json').version}, anvil (@foundry-rs/anvil-linux-amd64 ${require('@foundry-rs/anvil-linux-amd64/package.json').version})`,
      );
      console.log(`${txs * perTx} logs in ${txs} blocks, median of ${runs} runs`);
      console.log(
        `baseline  eth_getLogs + decode          ${median(baseline).toFixed(1)} ms  (${Math.round((txs * perTx) / (median(baseline) / 1000))} logs/s)`,
      );
      console.log(
        `adapter   poll (logs, blocks, events)   ${median(scans).toFixed(1)} ms  (${Math.round((txs * perTx) / (median(scans) / 1000))} logs/s)`,
      );
      console.log(
        `adapter   verifyEvidence (log ref)      p50 ${pct(verify, 0.5).toFixed(2)} ms, p99 ${pct(verify, 0.99).toFixed(2)} ms (n=${verify.length})`,
      );
    }
  }
} finally {
  await anvil.stop();
}
