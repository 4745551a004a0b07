import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  envNameOf,
  loadConfig,
  logEffectiveConfig,
  redactConfig,
  settingPathOfEnv,
} from '../../src/config/index.js';
import { componentLogger, createLogger } from '../../src/logging/index.js';

let dir: string;
let file: string;
const minimal = {
  identity: { keyFile: 'member.key.json', protocol: 'aave-v3' },
  dataDir: 'data',
  network: { listen: ['/ip4/127.0.0.1/tcp/0'] },
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-config-'));
  file = path.join(dir, 'node.json');
  await writeFile(file, JSON.stringify(minimal));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const messageOf = (r: Awaited<ReturnType<typeof loadConfig>>): string => (r.ok ? 'ok' : r.error.message);

describe('loadConfig', () => {
  it('applies the schema defaults under the file, and says where each value came from', async () => {
    const r = await loadConfig({ file, env: {} });
    if (!r.ok) throw r.error;
    expect(r.config['http']).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 7410,
      readAuth: false,
      rateLimit: { windowMs: 60_000, reads: 600, writes: 600 },
      streams: { max: 64, perClient: 8, authenticated: 16, stallMs: 30_000 },
      timeouts: { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 5_000 },
      maxConnections: 1024,
    });
    expect(r.sources['/http/port']).toBe('default');
    expect(r.sources['/dataDir']).toBe('file');
    expect(r.baseDir).toBe(dir);
  });

  it('takes flag over env over file over default', async () => {
    await writeFile(file, JSON.stringify({ ...minimal, http: { port: 7000 } }));
    const env = { SFR_HTTP__PORT: '7001', SFR_LOGGING__LEVEL: 'debug' };
    const withFlag = await loadConfig({ file, env, flags: { 'http.port': '7002' } });
    const withoutFlag = await loadConfig({ file, env });
    const fileOnly = await loadConfig({ file, env: {} });
    expect(
      [withFlag, withoutFlag, fileOnly].map((r) => r.ok && (r.config['http'] as { port: number }).port),
    ).toEqual([7002, 7001, 7000]);
    expect(withFlag.ok && withFlag.sources['/http/port']).toBe('flag');
    expect(withoutFlag.ok && withoutFlag.sources['/logging/level']).toBe('env');
  });

  it('types env strings by the schema: lists, booleans, integers', async () => {
    const r = await loadConfig({
      file,
      env: {
        SFR_NETWORK__BOOTSTRAP:
          '/ip4/127.0.0.1/tcp/9001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA, /ip4/127.0.0.1/tcp/9002',
        SFR_HTTP__ENABLED: 'false',
        SFR_GOSSIP__MAX_MESSAGE_BYTES: '65536',
      },
    });
    if (!r.ok) throw r.error;
    expect((r.config['network'] as { bootstrap: string[] }).bootstrap).toHaveLength(2);
    expect((r.config['http'] as { enabled: boolean }).enabled).toBe(false);
    expect((r.config['gossip'] as { maxMessageBytes: number }).maxMessageBytes).toBe(65536);
  });

  it('names the field, what was expected and where the bad value came from', async () => {
    expect(messageOf(await loadConfig({ file, env: { SFR_HTTP__PORT: 'eighty' } }))).toMatchInlineSnapshot(`
      "CONFIG_BAD_VALUE: SFR_HTTP__PORT is not a valid integer.
        field: /http/port
        expected: an integer
        from: SFR_HTTP__PORT"
    `);
    expect(messageOf(await loadConfig({ file, env: { SFR_HTTP__PROT: '1' } }))).toMatchInlineSnapshot(`
      "CONFIG_UNKNOWN_SETTING: SFR_HTTP__PROT names no setting of NodeConfig.
        field: /http/prot
        expected: a setting declared by the NodeConfig schema
        from: SFR_HTTP__PROT"
    `);
    await writeFile(file, JSON.stringify({ ...minimal, http: { port: 70000 } }));
    const invalid = await loadConfig({ file, env: {} });
    expect(messageOf(invalid).replace(file, '<file>')).toMatchInlineSnapshot(`
      "CONFIG_INVALID: must be <= 65535
        field: /http/port
        expected: <= 65535
        from: <file>"
    `);
    expect(!invalid.ok && invalid.error.schemaCode).toBe('SCHEMA_OUT_OF_RANGE');
    await writeFile(file, JSON.stringify(minimal));
    const viaFlag = await loadConfig({ file, env: {}, flags: { 'logging.level': 'loud' } });
    expect(!viaFlag.ok && [viaFlag.error.code, viaFlag.error.field, viaFlag.error.origin]).toEqual([
      'CONFIG_INVALID',
      '/logging/level',
      '--logging.level',
    ]);
  });

  it('reports an unreadable or non-JSON file with a code, never a throw', async () => {
    const missing = await loadConfig({ file: path.join(dir, 'nope.json'), env: {} });
    expect(!missing.ok && missing.error.code).toBe('CONFIG_FILE_UNREADABLE');
    await writeFile(file, '{"identity": ');
    const broken = await loadConfig({ file, env: {} });
    expect(!broken.ok && broken.error.code).toBe('CONFIG_NOT_JSON');
    await writeFile(file, '[1,2]');
    expect(messageOf(await loadConfig({ file, env: {} })).split('\n')[0]).toBe(
      'CONFIG_NOT_JSON: The config file must hold a JSON object.',
    );
    const viaEnvFile = await loadConfig({ env: { SFR_CONFIG: path.join(dir, 'nope.json') } });
    expect(!viaEnvFile.ok && viaEnvFile.error.code).toBe('CONFIG_FILE_UNREADABLE');
  });

  it('maps setting paths to env names and back', () => {
    expect(envNameOf('gossip.scoring.ipColocationFactorWeight')).toBe(
      'SFR_GOSSIP__SCORING__IP_COLOCATION_FACTOR_WEIGHT',
    );
    expect(settingPathOfEnv('SFR_GOSSIP__SCORING__IP_COLOCATION_FACTOR_WEIGHT')).toEqual([
      'gossip',
      'scoring',
      'ipColocationFactorWeight',
    ]);
    expect(settingPathOfEnv(envNameOf('dataDir'))).toEqual(['dataDir']);
  });
});

describe('effective config log', () => {
  it('logs the config once, with secrets and URL credentials redacted', async () => {
    const cfg = {
      ...minimal,
      chains: [{ chain: 'eip155:1', rpcUrl: 'https://eth-mainnet.example.com/v2/SECRETKEY123' }],
      webhooks: [
        {
          url: 'https://hooks.example.com/T0/B0/XSECRETX',
          secretFile: '/etc/sfr/hook.secret',
          events: ['alert'],
        },
      ],
      apiToken: 'tok-SECRET',
    };
    expect(redactConfig(cfg)).toMatchObject({
      chains: [{ rpcUrl: 'https://eth-mainnet.example.com/…' }],
      webhooks: [{ url: 'https://hooks.example.com/…', secretFile: '/etc/sfr/hook.secret' }],
      apiToken: '[redacted]',
    });
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const r = await loadConfig({ file, env: {} });
    if (!r.ok) throw r.error;
    const log = componentLogger(createLogger({ destination: sink }), 'config');
    logEffectiveConfig(log, { ...r, config: { ...r.config, webhooks: cfg.webhooks } });
    log.info({ token: 'tok-SECRET', req: { headers: { authorization: 'Bearer tok-SECRET' } } }, 'x');
    const out = lines.join('');
    expect(out).not.toContain('SECRET');
    const first = JSON.parse(lines[0]!) as { component: string; msg: string; level: string; sources: object };
    expect([first.component, first.msg, first.level]).toEqual(['config', 'effective config', 'info']);
    expect(first.sources).toMatchObject({ '/dataDir': 'file', '/http/port': 'default' });
  });

  it('warns about a set setting the node does not apply and leaves it out of the effective config', async () => {
    await writeFile(
      file,
      JSON.stringify({ ...minimal, limits: { queuePerTopic: 64, syncBatch: 128, seenCacheSize: 10 } }),
    );
    const r = await loadConfig({ file, env: {} });
    if (!r.ok) throw r.error;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    logEffectiveConfig(componentLogger(createLogger({ destination: sink }), 'config'), r);
    const records = lines.map(
      (l) => JSON.parse(l) as { level: string; setting?: string; config?: { limits: object } },
    );
    expect(records.filter((x) => x.level === 'warn').map((x) => x.setting)).toEqual([
      'limits.syncBatch',
      'limits.seenCacheSize',
    ]);
    expect(records.find((x) => x.config !== undefined)?.config?.limits).toEqual({
      queuePerTopic: 64,
      httpBodyBytes: 65_536,
      issuerBurst: 100,
      issuerPerSecond: 2,
    });
  });
});
