/**
 * The Grafana dashboard and Prometheus alert rules shipped in reference-node/ops (issue 11 item 5),
 * checked against a real node: `sfr node start` hosting the Aave v3 adapter on anvil. Every
 * expression names only metrics that node's /metrics exports, the rules parse as Prometheus rule
 * groups, the dashboard has the shape Grafana imports, and the adapter and chain metrics move when
 * a transaction lands.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { type RunningNode, startNodeFromConfig } from '../../src/cli/nodeStart.js';
import { deriveTestKey, saveMemberKey } from '../../src/envelope/index.js';
import { type AaveChain, startAaveChain } from '../hosting/fixtures.js';

const OPS = path.resolve(import.meta.dirname, '../../ops');
const dashboard = JSON.parse(readFileSync(path.join(OPS, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
const rules = load(readFileSync(path.join(OPS, 'prometheus-alerts.yml'), 'utf8')) as RuleFile;

interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string };
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

/** Series Prometheus makes itself, not the node. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_WORDS = new Set(
  'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring group_left group_right and or unless bool offset rate irate increase delta idelta changes resets deriv time histogram_quantile label_values abs absent ceil floor round clamp_min clamp_max vector scalar'.split(
    ' ',
  ),
);

/** The metric names an expression reads (label matchers, ranges, grouping and functions left out). */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => bare.slice(m.index + m[0].length).trimStart()[0] !== '(')
    .map((m) => m[0])
    .filter((n) => !PROMQL_WORDS.has(n));
  return [...new Set(names)];
}

/** Metric families of a scrape (`# TYPE name kind`), with the series names each exposes. */
function exportedNames(scrape: string): Set<string> {
  const out = new Set<string>(PROMETHEUS_SERIES);
  for (const m of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    out.add(m[1]!);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(`${m[1]}${s}`);
  }
  return out;
}

/** One sample value of a scrape, or undefined. */
function sample(scrape: string, name: string, labels = ''): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

let chain: AaveChain;
let dir: string;
let running: RunningNode;
const scrape = async () => (await fetch(`${running.apiUrl}/metrics`)).text();
const aave = 'protocol="aave-v3",chain="eip155:31337"';

beforeAll(async () => {
  chain = await startAaveChain();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-ops-'));
  await mkdir(path.join(dir, 'data'), { mode: 0o700 });
  const key = deriveTestKey('sfr-ops-dashboard');
  await saveMemberKey(path.join(dir, 'member.key.json'), key);
  const config = path.join(dir, 'node.json');
  await writeFile(
    config,
    JSON.stringify({
      identity: { keyFile: 'member.key.json', protocol: 'aave-v3' },
      dataDir: 'data',
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], members: [] },
      http: { host: '127.0.0.1', port: 0 },
      logging: { level: 'silent' },
      chains: [{ chain: 'eip155:31337', rpcUrl: chain.anvil.rpcUrl, confirmations: 1 }],
      adapters: [
        { package: '@sfr/adapter-aave-v3', config: await chain.adapterConfig({ rpcUrl: undefined }) },
      ],
    }),
  );
  running = await startNodeFromConfig({ config });
}, TIMEOUTS.hook);

afterAll(async () => {
  await running?.stop();
  await chain?.anvil.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}, TIMEOUTS.hook);

describe('reference-node/ops', () => {
  it('every dashboard query and alert expression names a metric the running node exports', async () => {
    const exported = exportedNames(await scrape());
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [`panel "${p.title}"`, t.expr])),
      ...rules.groups.flatMap((g) => g.rules.map((r) => [`alert ${r.alert}`, r.expr])),
      ...dashboard.templating.list
        .filter((v) => v.type === 'query')
        .map((v) => [`variable ${v.name}`, v.query]),
    ];
    expect(exprs.length).toBeGreaterThan(40);
    const unknown = exprs.flatMap(([where, expr]) =>
      metricNamesOf(expr!.replace(/^label_values\((\w+),.*\)$/, '$1'))
        .filter((n) => !exported.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(unknown).toEqual([]);
    // No double prefix: process metrics under their standard names only.
    expect([...exported].filter((n) => /^sfr_process_|^sfr_nodejs_/.test(n))).toEqual([]);
  });

  it('finds the metric names of an expression', () => {
    expect(
      metricNamesOf(
        'sum by (code) (rate(a_total{outcome!="accept"}[5m])) > 0 and on (member) time() - b_seconds offset 5m',
      ),
    ).toEqual(['a_total', 'b_seconds']);
  });

  it('the alert rules are Prometheus rule groups: named, with an expression, a severity and a summary', () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    const names = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(new Set(names).size).toBe(names.length);
    for (const g of rules.groups) {
      expect(g.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const r of g.rules) {
        expect(r.alert).toMatch(/^Sfr[A-Z][A-Za-z]+$/);
        expect(typeof r.expr).toBe('string');
        if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smhd]$/);
        expect(['critical', 'warning', 'info']).toContain(r.labels.severity);
        expect(r.annotations.summary.length).toBeGreaterThan(0);
        // Balanced brackets: a typo Prometheus would refuse to load.
        for (const [open, close] of ['()', '{}', '[]'])
          expect([r.alert, r.expr.split(open!).length]).toEqual([r.alert, r.expr.split(close!).length]);
      }
    }
  });

  it('the dashboard has the shape Grafana imports: unique panel ids, a grid, a Prometheus target per query', () => {
    expect(dashboard).toMatchObject({ uid: 'sfr-node', title: 'SFR node' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(['timeseries', 'stat', 'state-timeline']).toContain(p.type);
      expect(p.targets!.length).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.refId).toMatch(/^[A-Z]$/);
    }
  });

  it('adapter and chain metrics move when a transaction lands', async () => {
    await waitFor(
      async () => sample(await scrape(), 'sfr_adapter_up', aave) === 1,
      TIMEOUTS.event,
      'a first scan',
    );
    const before = await scrape();
    const head = sample(before, 'sfr_chain_head_block', 'chain="eip155:31337"')!;
    const published = sample(before, 'sfr_adapter_published_total', aave) ?? 0;
    expect(sample(before, 'sfr_adapter_consecutive_failures', aave)).toBe(0);
    expect(sample(before, 'sfr_adapter_rpc_duration_seconds', aave)).toBeGreaterThan(0);
    expect(sample(before, 'sfr_pools')).toBe(0);

    await chain.anvil.write(chain.configurator, chain.abi('MockPoolConfigurator'), 'setPoolPause', [true]);
    let after = '';
    await waitFor(
      async () => {
        after = await scrape();
        // The scan publishes, then commits its cursor and records the block it reached.
        return (
          (sample(after, 'sfr_adapter_published_total', aave) ?? 0) > published &&
          (sample(after, 'sfr_adapter_scanned_block', aave) ?? 0) >
            (sample(before, 'sfr_adapter_scanned_block', aave) ?? 0)
        );
      },
      TIMEOUTS.event,
      'the published counter and the scanned block to move',
    );
    expect(sample(after, 'sfr_chain_head_block', 'chain="eip155:31337"')).toBeGreaterThan(head);
    expect(sample(after, 'sfr_adapter_lag_blocks', aave)).toBeLessThanOrEqual(1);
    expect(sample(after, 'sfr_adapter_last_scan_timestamp_seconds', aave)).toBeGreaterThan(
      sample(before, 'sfr_adapter_last_scan_timestamp_seconds', aave)!,
    );
    expect(sample(after, 'sfr_store_messages')).toBeGreaterThan(sample(before, 'sfr_store_messages')!);
  });
});
