import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { collectMetrics, createMetrics } from '../../src/metrics/index.js';
import { openStore } from '../../src/store/index.js';

it('process metrics carry their standard names, without an sfr_ prefix (issue 11 item 5)', async () => {
  const text = await createMetrics().registry.metrics();
  expect(text).toMatch(/^process_cpu_seconds_total /m);
  expect(text).toMatch(/^process_resident_memory_bytes /m);
  expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  expect(text).not.toContain('sfr_process_');
});

it('collectMetrics refreshes the store gauges, for the API and the metrics port alike', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sfr-metrics-'));
  const store = await openStore(path.join(dir, 'store'));
  try {
    const metrics = createMetrics({ processMetrics: false });
    expect(await metrics.registry.metrics()).toMatch(/^sfr_store_healthy 0$/m);
    const text = await collectMetrics(metrics, store);
    expect(text).toMatch(/^sfr_store_healthy 1$/m);
    expect(text).toMatch(/^sfr_store_messages 0$/m);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
