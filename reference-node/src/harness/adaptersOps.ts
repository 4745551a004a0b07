/**
 * The adapter-level ops of the conformance harness (spec/v1/conformance.md#adapter-level), answered
 * with the real adapter packages, built exactly as the node's adapter host builds them
 * (`createAdapter(config)` of `@sfr/adapter-<adapter>`, a file cursor in a temporary folder):
 * - `adapterScan {adapter, config, fromBlock}` → `{outputs: [{type, key, payload}]}`: every output of
 *   the scans from `fromBlock` up to the safe head;
 * - `adapterVerifyEvidence {adapter, config, ref}` → `{ok: true, facts}` or `{ok: false, code, message}`.
 * An adapter this implementation does not ship is answered HARNESS_UNSUPPORTED_OP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Adapter, AdapterError, type AdapterOutput, createFileCursorStore } from '@sfr/adapter-kit';
import { HarnessOpError } from './harnessOpError.js';

/** The adapter packages of the reference implementation, by the name the harness ops use. */
const adapterPackages: Record<string, string> = {
  'aave-v3': '@sfr/adapter-aave-v3',
  chainlink: '@sfr/adapter-chainlink',
  'compound-v3': '@sfr/adapter-compound-v3',
  'gmx-v2': '@sfr/adapter-gmx-v2',
  'liquity-v2': '@sfr/adapter-liquity-v2',
  pausable: '@sfr/adapter-pausable',
};

/** Bound on the scans of one `adapterScan` (each reads at most `maxBlocksPerPoll` blocks). */
const maxPollsPerScan = 1_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(message: string): never {
  throw new HarnessOpError('HARNESS_BAD_REQUEST', message);
}

type Factory = (config: Record<string, unknown>) => Adapter;

async function loadFactory(name: unknown): Promise<Factory> {
  if (typeof name !== 'string') bad('"adapter" must be a string');
  const pkg = Object.hasOwn(adapterPackages, name) ? adapterPackages[name] : undefined;
  if (pkg === undefined) {
    throw new HarnessOpError(
      'HARNESS_UNSUPPORTED_OP',
      `no adapter ${JSON.stringify(name).slice(0, 80)} in this implementation`,
    );
  }
  const mod = (await import(pkg)) as { createAdapter: Factory };
  return mod.createAdapter;
}

function build(factory: Factory, config: Record<string, unknown>): Adapter {
  try {
    return factory(config);
  } catch (error) {
    if (error instanceof AdapterError)
      throw new HarnessOpError(error.code, error.message, { section: error.section, cause: error });
    throw error;
  }
}

/** `adapterScan {adapter, config, fromBlock}` → `{outputs}`. */
export async function adapterScanOp(req: Record<string, unknown>): Promise<Record<string, unknown>> {
  const factory = await loadFactory(req['adapter']);
  const config = req['config'];
  if (!isObject(config)) bad('"config" must be an object');
  const fromBlock = req['fromBlock'];
  if (typeof fromBlock !== 'number' || !Number.isSafeInteger(fromBlock) || fromBlock < 0)
    bad('"fromBlock" must be a non-negative integer');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-harness-adapter-'));
  try {
    const adapter = build(factory, {
      ...config,
      startBlock: fromBlock,
      cursorStore: createFileCursorStore(path.join(dir, 'cursor.json')),
    });
    const outputs: AdapterOutput[] = [];
    for (let i = 0; i < maxPollsPerScan; i++) {
      const scan = await adapter.poll();
      outputs.push(...scan.outputs);
      await scan.commit();
      if (scan.toBlock < scan.fromBlock) {
        return { outputs: outputs.map((o) => ({ type: o.type, key: o.key, payload: o.payload })) };
      }
    }
    throw new HarnessOpError(
      'HARNESS_INTERNAL',
      `the adapter did not catch up within ${maxPollsPerScan} scans`,
    );
  } catch (error) {
    if (error instanceof AdapterError)
      throw new HarnessOpError(error.code, error.message, { section: error.section, cause: error });
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `adapterVerifyEvidence {adapter, config, ref}` → the adapter's verdict. */
export async function adapterVerifyEvidenceOp(
  req: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const factory = await loadFactory(req['adapter']);
  const config = req['config'];
  if (!isObject(config)) bad('"config" must be an object');
  const adapter = build(factory, config);
  // verifyEvidence never throws for bad input (adapters.md#evidence-verification); the ref goes as is.
  const verdict = await adapter.verifyEvidence(req['ref'] as never);
  return verdict as unknown as Record<string, unknown>;
}
