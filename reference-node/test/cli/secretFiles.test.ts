/**
 * The API token grants signing as the member, so its file is held to the key file's rule (issue 13
 * finding 7): refused when open to others or not a regular file (a FIFO hung start-up), before the
 * node starts; a generated token with no valid content is replaced by a file of mode 0600; a data
 * directory others can write to is refused. The member key file, keystore and passphrase file are
 * refused as quickly when they are not regular files.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { startNodeFromConfig } from '../../src/cli/nodeStart.js';
import { deriveTestKey, loadMemberKey, saveMemberKey } from '../../src/envelope/index.js';
import { writeKeyFile } from '../../src/keys/index.js';

let dir: string;
const key = deriveTestKey('sfr-secret-files');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-secrets-'));
  await saveMemberKey(path.join(dir, 'member.key.json'), key);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(
  name: string,
  http: Record<string, unknown>,
  dataDir = 'data',
  identity: Record<string, unknown> = { keyFile: 'member.key.json' },
): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    JSON.stringify({
      identity: { protocol: 'aave-v3', ...identity },
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

/** `promise`, or a rejection saying what it waited for once `ms` (a TIMEOUTS bound) have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A FIFO of mode 0600 at `name` in the test folder. */
function makeFifo(name: string): string {
  const fifo = path.join(dir, name);
  execFileSync('mkfifo', ['-m', '600', fifo]);
  return fifo;
}

/**
 * Lets go of a reader left blocked on `fifo` (a node without the check): opening the write end and
 * closing it gives that reader end-of-file, so a failing test fails instead of holding a libuv
 * thread. With no reader the open fails (ENXIO), as it should.
 */
function releaseFifo(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader: nothing to release
  }
}

/** Start-up from `config` is refused within TIMEOUTS.start as `expected` (code, message); `what` it refuses. */
async function expectStartRefused(
  config: string,
  what: string,
  expected: Record<string, unknown>,
): Promise<void> {
  await expect(
    within(startNodeFromConfig({ config }), TIMEOUTS.start, `start-up to refuse ${what}`),
  ).rejects.toMatchObject(expected);
}

/** Runs `check` with a FIFO at `name`, releasing any reader left blocked on it afterwards. */
async function withFifo(name: string, check: (fifo: string) => Promise<void>): Promise<void> {
  const fifo = makeFifo(name);
  try {
    await check(fifo);
  } finally {
    releaseFifo(fifo);
  }
}

it('refuses a FIFO as token file instead of hanging', async () => {
  const config = await writeConfig('fifo.json', { tokenFile: 'fifo.token' });
  await withFifo('fifo.token', (fifo) =>
    expectStartRefused(config, 'a FIFO token file', {
      code: 'CONFIG_KEY_UNREADABLE',
      message: `http token file ${fifo} is not a regular file (a FIFO); expected a regular file of mode 600`,
    }),
  );
});

it('refuses a FIFO as member key file instead of hanging (issue 13 finding 7)', async () => {
  const config = await writeConfig('fifo-key.json', {}, 'data', { keyFile: 'fifo.key.json' });
  await withFifo('fifo.key.json', async (fifo) => {
    await expectStartRefused(config, 'a FIFO key file', {
      code: 'KEY_FILE_INVALID',
      message: `the key file ${fifo} is not a regular file (a FIFO); expected a regular file of mode 600`,
    });
    // The plaintext key loader (envelope domain) refuses it as quickly, with its own code.
    await expect(
      within(loadMemberKey(fifo), TIMEOUTS.start, 'loadMemberKey to refuse a FIFO'),
    ).rejects.toMatchObject({ code: 'ENVELOPE_KEY_FILE_INVALID' });
  });
});

it('refuses a directory as member key file, saying what it is', async () => {
  const folder = path.join(dir, 'folder.key.json');
  await mkdir(folder, { mode: 0o700 });
  const config = await writeConfig('folder-key.json', {}, 'data', { keyFile: 'folder.key.json' });
  await expectStartRefused(config, 'a directory key file', {
    code: 'KEY_FILE_INVALID',
    message: `the key file ${folder} is not a regular file (a directory); expected a regular file of mode 600`,
  });
});

it('refuses a socket as token file (its open fails), saying what it is', async () => {
  const socket = path.join(dir, 'socket.token');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const config = await writeConfig('socket.json', { tokenFile: 'socket.token' });
    await expectStartRefused(config, 'a socket token file', {
      code: 'CONFIG_KEY_UNREADABLE',
      message: `http token file ${socket} is not a regular file (a socket); expected a regular file of mode 600`,
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

it('refuses a FIFO as keystore passphrase file instead of hanging', async () => {
  await writeKeyFile(path.join(dir, 'ks.json'), key, {
    form: 'keystore',
    passphrase: 'pass-of-the-keystore',
    strength: 'light',
  });
  const config = await writeConfig('fifo-pass.json', {}, 'data', {
    keyFile: 'ks.json',
    passwordFile: 'fifo.pass',
  });
  await withFifo('fifo.pass', (fifo) =>
    expectStartRefused(config, 'a FIFO passphrase file', {
      code: 'KEY_FILE_INVALID',
      message: `the passphrase file ${fifo} is not a regular file (a FIFO); expected a regular file of mode 600`,
    }),
  );
});

it('refuses a FIFO as the libp2p peer key instead of hanging', async () => {
  const dataDir = path.join(dir, 'peer-fifo');
  await mkdir(dataDir, { mode: 0o700 });
  const config = await writeConfig('peer-fifo.json', {}, 'peer-fifo');
  await withFifo('peer-fifo/peer.key', (fifo) =>
    expectStartRefused(config, 'a FIFO peer key', {
      code: 'GOSSIP_PEER_KEY_INVALID',
      message: expect.stringContaining(`peer key file ${fifo} is not a regular file (a FIFO)`),
    }),
  );
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
