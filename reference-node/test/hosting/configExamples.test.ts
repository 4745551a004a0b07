/**
 * The NodeConfig examples an operator copies from (`schemas/v1/examples/NodeConfig/valid/`) name
 * adapters whose config the real adapter packages accept: each entry is resolved the way
 * `sfr node start` resolves it (rpcUrl from `chains[]`, `rpcUrlFile` read against the config's
 * folder) and built by the adapter host. Building makes no RPC call, so no chain is needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdapterHost, resolveAdapterEntries } from '../../src/hosting/index.js';

const examplesDir = fileURLToPath(new URL('../../../schemas/v1/examples/NodeConfig/valid/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, config: JSON.parse(readFileSync(path.join(examplesDir, f), 'utf8')) }));

interface ExampleConfig {
  adapters?: Array<{ package: string; config?: Record<string, unknown> }>;
  chains?: Array<{ chain: string; rpcUrl?: string; rpcUrlFile?: string; confirmations?: number }>;
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('NodeConfig examples', () => {
  it('at least one example hosts an adapter', () => {
    expect(examples.some((e) => ((e.config as ExampleConfig).adapters ?? []).length > 0)).toBe(true);
  });

  it.each(examples)('$file: every adapters[] entry is built by its package', async ({ config }) => {
    const c = config as ExampleConfig;
    const baseDir = await mkdtemp(path.join(os.tmpdir(), 'sfr-config-example-'));
    dirs.push(baseDir);
    // The RPC URL files the example names (secrets are not in the repository): a local URL in each.
    for (const chain of c.chains ?? []) {
      if (chain.rpcUrlFile === undefined) continue;
      const file = path.join(baseDir, chain.rpcUrlFile);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'http://127.0.0.1:8545\n');
    }
    const entries = await resolveAdapterEntries(c, baseDir);
    expect(entries.length).toBe((c.adapters ?? []).length);
    for (const entry of entries) expect(entry.config?.['rpcUrl'], entry.package).toBeTypeOf('string');
    const host = await createAdapterHost({
      adapters: entries,
      dataDir: baseDir,
      node: {
        member: '0x0000000000000000000000000000000000000001',
        store: {
          headSeq: async () => undefined,
          rangeBySeq: async () => ({ items: [] }),
        } as never,
        publish: async () => {
          throw new Error('not started: nothing is published');
        },
      },
    });
    expect(host.adapters.length).toBe(entries.length);
    expect(host.isStarted()).toBe(false);
  });
});
