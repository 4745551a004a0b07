import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from '@sfr/schemas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './captureCli.js';

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
const VERSION = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
    version: string;
  }
).version;

let dir: string;
const children = new Set<ChildProcess>();
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-cli-'));
});
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  await rm(dir, { recursive: true, force: true });
});

describe('sfr', () => {
  it('prints help and version with exit 0, and exits 2 on usage errors', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: sfr [options] [command]');
    expect(help.stdout).toMatch(/keys\s+member keys/);
    expect(await cli('--version')).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const unknown = await cli('frobnicate');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      "error: unknown command 'frobnicate'\n(run with --help for usage)\n",
    ]);
    expect((await cli('status', '--bogus')).code).toBe(2);
    // `--api` without a scheme is refused before anything is sent, with the form expected.
    expect(await cli('status', '--api', '127.0.0.1:7410')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error API_BAD_PARAMETER: --api must be an http(s) URL such as http://127.0.0.1:7410, got "127.0.0.1:7410" (did you mean http://127.0.0.1:7410?)\n',
    });
    const noConfig = await cli('node', 'start');
    expect([noConfig.code, noConfig.stderr]).toEqual([
      2,
      'error CONFIG_FILE_UNREADABLE: missing --config <file> (or SFR_CONFIG)\n',
    ]);
  });

  it('writes a new member key readable by its owner only, and refuses to overwrite it', async () => {
    const out = path.join(dir, 'member.key.json');
    const r = await cli('keys', 'new', '--out', out, '--plaintext', '--json');
    expect(r.code).toBe(0);
    const { address, file } = JSON.parse(r.stdout) as { address: string; file: string };
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(file).toBe(out);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ kind: 'sfr-member-key', address });
    const again = await cli('keys', 'new', '--out', out, '--plaintext');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `error ENVELOPE_INVALID_INPUT: Refusing to overwrite an existing key file. (${out})\n`,
    );
  });

  it('refuses an invalid config with the field, the expectation and the source', async () => {
    const config = path.join(dir, 'node.json');
    await writeFile(
      config,
      JSON.stringify({
        identity: { keyFile: 'k.json', protocol: 'aave-v3' },
        dataDir: 'data',
        network: { listen: [] },
      }),
    );
    const r = await cli('node', 'start', '--config', config, '--http-port', '8080');
    expect(r.code).toBe(1);
    expect(r.stderr.replace(config, '<config>')).toMatchInlineSnapshot(`
      "error CONFIG_INVALID: must have at least 1 item
        field: /network/listen
        expected: at least 1 item
        from: <config>
      "
    `);
    const badFlag = await cli('node', 'start', '--config', config, '--http-port', 'eighty');
    expect(badFlag.stderr).toMatchInlineSnapshot(`
      "error CONFIG_BAD_VALUE: --http-port is not a valid integer.
        field: /http/port
        expected: an integer
        from: --http-port
      "
    `);
    const badSet = await cli('node', 'start', '--config', config, '--set', 'gossip.maxMessageBytes=lots');
    expect(badSet.stderr.split('\n')[0]).toBe(
      'error CONFIG_BAD_VALUE: --set gossip.maxMessageBytes is not a valid integer.',
    );
  });

  it('reports an unreachable node with exit 1', async () => {
    const r = await cli('status', '--api', 'http://127.0.0.1:9');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error API_UNREACHABLE: no node answers at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('sfr node start (a real node process)', () => {
  it('starts from a config, answers status and publishes, and stops cleanly on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const keyFile = path.join(dir, 'member.key.json');
    expect((await cli('keys', 'new', '--out', keyFile, '--plaintext')).code).toBe(0);
    const config = path.join(dir, 'node.json');
    await writeFile(
      config,
      JSON.stringify({
        identity: { keyFile: 'member.key.json', protocol: 'aave-v3' },
        dataDir: 'data',
        network: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        http: { port: 0 },
        logging: { level: 'info' },
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'node', 'start', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '' },
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const ready = await new Promise<{ apiUrl: string; tokenFile: string }>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no "node ready" in 60 s: ${stdout.slice(-500)} ${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        for (const line of stdout.split('\n')) {
          if (line.includes('"node ready"')) {
            clearTimeout(t);
            resolve(JSON.parse(line) as { apiUrl: string; tokenFile: string });
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const first = JSON.parse(stdout.split('\n')[0]!) as { msg: string; component: string };
    expect([first.component, first.msg]).toEqual(['config', 'effective config']);

    const status = await cli('status', '--api', ready.apiUrl, '--json');
    expect(status.code).toBe(0);
    expect(validate('StatusResponse', JSON.parse(status.stdout)).ok).toBe(true);
    const human = await cli('status', '--api', ready.apiUrl);
    expect(human.stdout).toMatch(/^node {5}12D3Koo/);

    const token = (await readFile(ready.tokenFile, 'utf8')).trim();
    expect((await stat(ready.tokenFile)).mode & 0o777).toBe(0o600);
    const payload = JSON.parse(
      await readFile(
        path.resolve(
          import.meta.dirname,
          '../../../schemas/v1/examples/RecoveryEvent/valid/aave-v3-reserve-paused.json',
        ),
        'utf8',
      ),
    ) as unknown;
    const res = await fetch(`${ready.apiUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ payload }),
    });
    expect(res.status).toBe(201);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stdout).toContain('"msg":"node stopped"');
    expect(stdout).not.toContain(token);
  });
});
