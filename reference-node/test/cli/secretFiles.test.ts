/**
 * The API token grants signing as the member, so its file is held to the key file's rule (issue 13
 * finding 7): refused when open to others or not a regular file (a FIFO hung start-up), before the
 * node starts; a generated token with no valid content is replaced by a file of mode 0600; a data
 * directory others can write to is refused.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNodeFromConfig } from '../../src/cli/nodeStart.js';
import { deriveTestKey, saveMemberKey } from '../../src/envelope/index.js';

let dir: string;
const key = deriveTestKey('sfr-secret-files');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-secrets-'));
  await saveMemberKey(path.join(dir, 'member.key.json'), key);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, http: Record<string, unknown>, dataDir = 'data'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    JSON.stringify({
      identity: { keyFile: 'member.key.json', protocol: 'aave-v3' },
      dataDir,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      http: { host: '127.0.0.1', port: 0, ...http },
      logging: { level: 'silent' },
    }),
  );
  return file;
}

it('refuses a token file readable or writable by others, naming the mode and the fix', async () => {
  const token = path.join(dir, 'open.token');
  await writeFile(token, 'a-token-of-enough-length-0123456789\n');
  for (const mode of [0o644, 0o606]) {
    await chmod(token, mode);
    const config = await writeConfig('open.json', { tokenFile: 'open.token' });
    await expect(startNodeFromConfig({ config })).rejects.toMatchObject({
      code: 'CONFIG_KEY_UNREADABLE',
      message: `http token file ${token} has mode ${mode.toString(8)}; expected 600 (chmod 600 ${token})`,
    });
  }
});

it('refuses a FIFO as token file instead of hanging', async () => {
  const fifo = path.join(dir, 'fifo.token');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const config = await writeConfig('fifo.json', { tokenFile: 'fifo.token' });
  await expect(startNodeFromConfig({ config })).rejects.toMatchObject({
    code: 'CONFIG_KEY_UNREADABLE',
    message: `http token file ${fifo} is not a regular file`,
  });
});

it('replaces an invalid generated token with a new file of mode 0600', async () => {
  const dataDir = path.join(dir, 'gen');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'http.token');
  await writeFile(file, 'short\n', { mode: 0o600 });
  const config = await writeConfig('gen.json', {}, 'gen');
  const running = await startNodeFromConfig({ config });
  try {
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  } finally {
    await running.stop();
  }
  // A generated token made readable by others afterwards is refused, not silently rewritten.
  await chmod(file, 0o644);
  await expect(startNodeFromConfig({ config })).rejects.toMatchObject({ code: 'CONFIG_KEY_UNREADABLE' });
});

it('refuses a data directory any user can write to, before anything opens', async () => {
  const dataDir = path.join(dir, 'open-data');
  await mkdir(dataDir, { mode: 0o700 });
  await chmod(dataDir, 0o777);
  const config = await writeConfig('open-data.json', {}, 'open-data');
  await expect(startNodeFromConfig({ config })).rejects.toMatchObject({
    code: 'CONFIG_BAD_VALUE',
    message: `dataDir ${dataDir} has mode 777: any user can write to it; expected 700 (chmod 700 ${dataDir})`,
  });
  // Nothing was created in it.
  expect(await readdir(dataDir)).toEqual([]);
});
