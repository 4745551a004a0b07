import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@sfr/schemas';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainAdapterConfig } from '../config.js';
import { createFileCursorStore } from '../cursor.js';
import { AdapterError } from '../errors.js';
import type { Adapter, AdapterOutput, EvidenceRef, LogEvidence } from '../types.js';
import type { AnvilInstance } from './anvil.js';
import { startRpcProxy } from './proxy.js';

/** The shared settings the suite varies; the fixture fills in the protocol-specific ones. */
export type ComplianceOverrides = Pick<
  ChainAdapterConfig,
  'rpcUrl' | 'confirmations' | 'cursorStore' | 'startBlock' | 'maxBlocksPerPoll' | 'retry'
>;

export interface ComplianceFixture {
  anvil: AnvilInstance;
  createAdapter(overrides: ComplianceOverrides): Adapter;
  /**
   * Sends (does not wait for) one transaction that the adapter MUST report as exactly one
   * RecoveryEvent whose evidence cites a log of that transaction (ContagionAlerts may come with
   * it). Callable any number of times.
   */
  trigger(): Promise<Hex>;
  /** Sends and mines the same event from a contract the adapter does not watch. */
  triggerForeign(): Promise<Hex>;
  teardown?(): Promise<void>;
}

async function mined(anvil: AnvilInstance, hash: Hex) {
  return anvil.client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
}

/** True when `output` is a RecoveryEvent citing a log of transaction `hash`. */
function citesTx(output: AdapterOutput, hash: Hex): boolean {
  if (output.type !== 'RecoveryEvent') return false;
  const evidence: EvidenceRef[] = output.payload.evidence ?? [];
  return evidence.some((e) => e.type === 'log' && e.txHash === hash);
}

function logRefOf(output: AdapterOutput, hash: Hex): LogEvidence {
  const ref = (output.payload.evidence ?? []).find(
    (e): e is LogEvidence => e.type === 'log' && e.txHash === hash,
  );
  if (ref === undefined) throw new Error('output does not cite the transaction');
  return ref;
}

/** Lists schema problems of outputs per @sfr/schemas `validate` (`<key> <pointer> <code>`). */
export function findSchemaProblems(outputs: AdapterOutput[]): string[] {
  const problems: string[] = [];
  for (const output of outputs) {
    const result = validate(output.type, output.payload);
    if (!result.ok) {
      for (const issue of result.issues)
        problems.push(`${output.key} ${issue.pointer} ${issue.code}: ${issue.message}`);
    }
  }
  return problems;
}

/** Asserts every output is a valid RecoveryEvent / ContagionAlert payload. */
export function expectValidOutputs(outputs: AdapterOutput[]): void {
  expect(findSchemaProblems(outputs)).toEqual([]);
}

/** Polls (and commits) until the adapter has caught up with the safe head; returns every output. */
export async function drainAdapter(adapter: Adapter, maxPolls = 50): Promise<AdapterOutput[]> {
  const outputs: AdapterOutput[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const result = await adapter.poll();
    outputs.push(...result.outputs);
    await result.commit();
    if (result.toBlock < result.fromBlock) return outputs;
  }
  throw new Error(`adapter did not catch up within ${maxPolls} polls`);
}

/**
 * Registers the adapter compliance suite (spec/v1/adapters.md#compliance): the same behavioural
 * tests for every adapter. `setup` runs once (deploy contracts on a fresh anvil).
 */
export function describeAdapterCompliance(name: string, setup: () => Promise<ComplianceFixture>): void {
  describe(`adapter compliance: ${name}`, () => {
    let f: ComplianceFixture;
    let dir: string;
    const fresh = async (overrides: Partial<ComplianceOverrides> = {}) =>
      f.createAdapter({
        rpcUrl: f.anvil.rpcUrl,
        confirmations: 1,
        startBlock: (await f.anvil.client.getBlockNumber()) + 1n,
        retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
        ...overrides,
      });

    beforeAll(async () => {
      f = await setup();
      dir = await mkdtemp(join(tmpdir(), 'sfr-compliance-'));
    });
    afterAll(async () => {
      await f?.teardown?.();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('reports an incident only once it has enough confirmations, with evidence that verifies', async () => {
      const adapter = await fresh({ confirmations: 3 });
      const hash = await f.trigger();
      await mined(f.anvil, hash);
      const early = await adapter.poll();
      expect(early.outputs.filter((o) => citesTx(o, hash))).toHaveLength(0);
      await early.commit();
      await f.anvil.mine(2);
      const outputs = await drainAdapter(adapter);
      const mine = outputs.filter((o) => citesTx(o, hash));
      expect(mine).toHaveLength(1);
      const output = mine[0]!;
      expect(output.payload).toMatchObject({ evidence: expect.any(Array) });
      expectValidOutputs([output]);
      const verdict = await adapter.verifyEvidence(logRefOf(output, hash));
      expect(verdict).toMatchObject({ ok: true, facts: { type: 'log', txHash: hash } });
    });

    it('refuses evidence for a log that does not exist (EVIDENCE_NOT_FOUND)', async () => {
      const adapter = await fresh();
      const hash = await f.trigger();
      await mined(f.anvil, hash);
      const output = (await drainAdapter(adapter)).find((o) => citesTx(o, hash))!;
      const ref = logRefOf(output, hash);
      expect(await adapter.verifyEvidence({ ...ref, logIndex: ref.logIndex + 500 })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_NOT_FOUND',
      });
      const otherTx = `0x${'ab'.repeat(32)}` as Hex;
      expect(await adapter.verifyEvidence({ ...ref, txHash: otherTx })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_NOT_FOUND',
      });
      expect(await adapter.verifyEvidence({ ...ref, blockNumber: ref.blockNumber + 10_000 })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_NOT_FOUND',
      });
    });

    it('refuses evidence emitted by a contract it does not watch (EVIDENCE_WRONG_EMITTER)', async () => {
      const adapter = await fresh();
      const hash = await f.triggerForeign();
      const receipt = await mined(f.anvil, hash);
      const log = receipt.logs[0]!;
      const ref: LogEvidence = {
        type: 'log',
        chain: adapter.chain,
        blockNumber: Number(receipt.blockNumber),
        blockHash: receipt.blockHash,
        txHash: hash,
        logIndex: log.logIndex,
        emitter: log.address,
        topic0: log.topics[0]!,
      };
      expect(await adapter.verifyEvidence(ref)).toMatchObject({ ok: false, code: 'EVIDENCE_WRONG_EMITTER' });
      const outputs = await drainAdapter(adapter);
      expect(outputs.filter((o) => citesTx(o, hash))).toHaveLength(0);
    });

    it('refuses a log cited with another topic (EVIDENCE_WRONG_TOPIC), chain or shape', async () => {
      const adapter = await fresh();
      const hash = await f.trigger();
      await mined(f.anvil, hash);
      const ref = logRefOf((await drainAdapter(adapter)).find((o) => citesTx(o, hash))!, hash);
      expect(await adapter.verifyEvidence({ ...ref, topic0: `0x${'11'.repeat(32)}` })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_WRONG_TOPIC',
      });
      expect(await adapter.verifyEvidence({ ...ref, chain: 'eip155:999999' })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_WRONG_CHAIN',
      });
      expect(await adapter.verifyEvidence({ ...ref, blockHash: '0x1234' as Hex })).toMatchObject({
        ok: false,
        code: 'EVIDENCE_MALFORMED',
      });
    });

    it('refuses evidence with too few confirmations (EVIDENCE_INSUFFICIENT_CONFIRMATIONS)', async () => {
      const strict = await fresh({ confirmations: 5 });
      const lax = await fresh();
      const hash = await f.trigger();
      await mined(f.anvil, hash);
      const ref = logRefOf((await drainAdapter(lax)).find((o) => citesTx(o, hash))!, hash);
      expect(await strict.verifyEvidence(ref)).toMatchObject({
        ok: false,
        code: 'EVIDENCE_INSUFFICIENT_CONFIRMATIONS',
        details: { confirmations: 1, required: 5 },
      });
      await f.anvil.mine(4);
      expect(await strict.verifyEvidence(ref)).toMatchObject({ ok: true });
    });

    it('refuses evidence that was reorged out (EVIDENCE_REORGED) and rewinds its cursor', async () => {
      const adapter = await fresh();
      await f.anvil.mine(1);
      await drainAdapter(adapter);
      const snapshot = await f.anvil.snapshot();
      const hash = await f.trigger();
      await mined(f.anvil, hash);
      const output = (await drainAdapter(adapter)).find((o) => citesTx(o, hash));
      expect(output).toBeDefined();
      const ref = logRefOf(output!, hash);
      await f.anvil.revert(snapshot);
      await f.anvil.mine(3);
      expect(await adapter.verifyEvidence(ref)).toMatchObject({ ok: false, code: 'EVIDENCE_REORGED' });
      const after = await adapter.poll();
      expect(after.reorg).toBeDefined();
      expect(after.reorg!.ancestor).toBeLessThan(BigInt(ref.blockNumber));
      expect(after.outputs.filter((o) => citesTx(o, hash))).toHaveLength(0);
      await after.commit();
    });

    it('restarts from the persisted cursor without repeating or missing an event', async () => {
      const path = join(dir, `${name}-cursor.json`);
      const startBlock = (await f.anvil.client.getBlockNumber()) + 1n;
      const overrides = { startBlock, maxBlocksPerPoll: 2, cursorStore: createFileCursorStore(path) };
      const hashes: Hex[] = [];
      for (let i = 0; i < 4; i++) {
        const h = await f.trigger();
        await mined(f.anvil, h);
        hashes.push(h);
      }
      const first = await fresh(overrides);
      const seen: AdapterOutput[] = [];
      const one = await first.poll();
      seen.push(...one.outputs);
      await one.commit();
      const uncommitted = await first.poll(); // "crash" before commit: these outputs are not stored
      expect(uncommitted.outputs.length).toBeGreaterThan(0);
      const second = await fresh({ ...overrides, cursorStore: createFileCursorStore(path) });
      const late = await f.trigger();
      await mined(f.anvil, late);
      hashes.push(late);
      seen.push(...(await drainAdapter(second)));
      expectValidOutputs(seen);
      const keys = seen.map((o) => o.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const h of hashes) expect(seen.filter((o) => citesTx(o, h))).toHaveLength(1);
    });

    it('reports many incidents mined in one block', async () => {
      const adapter = await fresh();
      await f.anvil.setAutomine(false);
      const hashes: Hex[] = [];
      try {
        for (let i = 0; i < 6; i++) hashes.push(await f.trigger());
        await f.anvil.mine(1);
      } finally {
        await f.anvil.setAutomine(true);
      }
      const receipts = await Promise.all(hashes.map((h) => mined(f.anvil, h)));
      expect(new Set(receipts.map((r) => r.blockNumber)).size).toBe(1);
      const outputs = await drainAdapter(adapter);
      for (const h of hashes) expect(outputs.filter((o) => citesTx(o, h))).toHaveLength(1);
    });

    it('retries RPC failures with back-off, then fails with a code when the RPC stays down', async () => {
      const proxy = await startRpcProxy(f.anvil.rpcUrl);
      try {
        const adapter = await fresh({
          rpcUrl: proxy.url,
          retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
        });
        const hash = await f.trigger();
        await mined(f.anvil, hash);
        proxy.failNext(2);
        const outputs = await drainAdapter(adapter);
        expect(proxy.stats.failures).toBe(2);
        const ref = logRefOf(outputs.find((o) => citesTx(o, hash))!, hash);
        proxy.down();
        const before = proxy.stats.failures;
        const error = await adapter.poll().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AdapterError);
        expect(error).toMatchObject({ code: 'ADAPTER_RPC_UNAVAILABLE' });
        expect(proxy.stats.failures - before).toBe(3);
        expect(await adapter.verifyEvidence(ref)).toMatchObject({
          ok: false,
          code: 'EVIDENCE_RPC_UNAVAILABLE',
        });
        proxy.up();
        expect(await adapter.verifyEvidence(ref)).toMatchObject({ ok: true });
      } finally {
        await proxy.stop();
      }
    });

    it('reports an exposure profile naming the protocol, its chain and its contracts', async () => {
      const adapter = await fresh();
      const profile = adapter.exposure();
      expect(profile.protocol).toBe(adapter.protocol);
      expect(profile.chain).toBe(adapter.chain);
      expect(profile.contracts.length).toBeGreaterThan(0);
      expect(profile.subjects).toContainEqual({ kind: 'protocol', protocol: adapter.protocol });
      expect(profile.subjects).toContainEqual({ kind: 'chain', chain: adapter.chain });
    });
  });
}
