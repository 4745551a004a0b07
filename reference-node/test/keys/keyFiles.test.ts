/**
 * Member key files the way operators keep them (spec/v1/node.md#keys): `sfr keys new` writes a v3
 * keystore by default, the passphrase comes from a file, a variable or a terminal and never the
 * command line, the node loads either form, refuses files open to others, and `keys import` /
 * `keys list` handle raw keys, other tools' keystores and folders without printing a secret.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Wallet } from '@ethereumjs/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveTestKey, saveMemberKey } from '../../src/envelope/index.js';
import { loadMemberSigner } from '../../src/keys/index.js';
import { cli } from '../cli/captureCli.js';

let dir: string;
const PASS = 'correct horse battery staple';

async function privateFile(name: string, body: string, mode = 0o600): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body, { mode });
  await chmod(file, mode);
  return file;
}

const load = (keyFile: string, extra: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) =>
  loadMemberSigner({ identity: { keyFile, ...extra }, baseDir: dir, env });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-keys-'));
  await privateFile('pass.txt', `${PASS}\nsecond line is not part of it\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sfr keys new', () => {
  it('writes a v3 scrypt keystore by default (n = 2^18), mode 0600, with no key in clear', async () => {
    const out = path.join(dir, 'default.json');
    const r = await cli('keys', 'new', '--out', out, '--password-file', path.join(dir, 'pass.txt'), '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { address, form } = JSON.parse(r.stdout) as { address: string; form: string };
    expect(form).toBe('keystore');
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const keystore = JSON.parse(await readFile(out, 'utf8'));
    expect(keystore).toMatchObject({
      version: 3,
      address: address.slice(2).toLowerCase(),
      crypto: { kdf: 'scrypt', cipher: 'aes-128-ctr', kdfparams: { n: 262_144, r: 8, p: 1, dklen: 32 } },
    });
    expect(JSON.stringify(keystore)).not.toMatch(/privateKey/);
    const signer = await load('default.json', { passwordFile: 'pass.txt' });
    expect([signer.member, signer.key, signer.kind]).toEqual([address, address, 'local']);
  });

  it('takes the passphrase from a variable the operator names, and --light-kdf lowers scrypt n', async () => {
    const out = path.join(dir, 'env.json');
    const prev = process.env['SFR_TEST_PASSPHRASE'];
    process.env['SFR_TEST_PASSPHRASE'] = PASS;
    try {
      const r = await cli(
        'keys',
        'new',
        '--out',
        out,
        '--password-env',
        'SFR_TEST_PASSPHRASE',
        '--light-kdf',
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^member 0x[0-9a-fA-F]{40}\nkeystore .*env\.json \(mode 0600\)\n$/);
    } finally {
      if (prev === undefined) delete process.env['SFR_TEST_PASSPHRASE'];
      else process.env['SFR_TEST_PASSPHRASE'] = prev;
    }
    expect(JSON.parse(await readFile(out, 'utf8')).crypto.kdfparams).toMatchObject({ n: 4096, p: 6 });
    await expect(load('env.json', { passwordEnv: 'KEY_PASS' }, { KEY_PASS: PASS })).resolves.toMatchObject({
      kind: 'local',
    });
    await expect(load('env.json', { passwordEnv: 'KEY_PASS' }, {})).rejects.toMatchObject({
      code: 'KEY_PASSPHRASE_MISSING',
      message: 'the variable KEY_PASS is not set',
    });
  });

  it('refuses to write a keystore without a passphrase source when there is no terminal', async () => {
    const r = await cli('keys', 'new', '--out', path.join(dir, 'none.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error KEY_PASSPHRASE_MISSING: a keystore passphrase is needed: give --password-file <file> or --password-env <NAME> (no terminal to ask on)\n',
    );
    await expect(stat(path.join(dir, 'none.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes the plaintext form only with --plaintext, and the node still loads it', async () => {
    const out = path.join(dir, 'plain.json');
    const r = await cli('keys', 'new', '--out', out, '--plaintext', '--json');
    expect(r.code).toBe(0);
    const { address } = JSON.parse(r.stdout) as { address: string };
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ kind: 'sfr-member-key', address });
    await expect(load('plain.json')).resolves.toMatchObject({ member: address, key: address });
  });
});

describe('loading a key file', () => {
  it('loads a plaintext key file written before keystores existed', async () => {
    const key = deriveTestKey('sfr-keys-legacy');
    await saveMemberKey(path.join(dir, 'legacy.json'), key);
    await expect(load('legacy.json')).resolves.toMatchObject({ member: key.address });
  });

  it('refuses a wrong passphrase, and a keystore or passphrase file open to others', async () => {
    const pass = path.join(dir, 'pass.txt');
    await cli('keys', 'new', '--out', path.join(dir, 'ks.json'), '--password-file', pass, '--light-kdf');
    await privateFile('wrong.txt', 'not the passphrase\n');
    await expect(load('ks.json', { passwordFile: 'wrong.txt' })).rejects.toMatchObject({
      code: 'KEY_PASSPHRASE_WRONG',
      message: `the passphrase does not open ${path.join(dir, 'ks.json')}`,
    });
    const open = await privateFile('open-pass.txt', `${PASS}\n`, 0o644);
    await expect(load('ks.json', { passwordFile: 'open-pass.txt' })).rejects.toMatchObject({
      code: 'KEY_FILE_INSECURE',
      message: `the passphrase file ${open} is open to other users (mode 644; expected 600 (chmod 600 ${open}))`,
    });
    await chmod(path.join(dir, 'ks.json'), 0o640);
    await expect(load('ks.json', { passwordFile: 'pass.txt' })).rejects.toMatchObject({
      code: 'KEY_FILE_INSECURE',
    });
    await chmod(path.join(dir, 'ks.json'), 0o600);
  });

  it('never puts the passphrase in an error, and names what is wrong with a remote signer reference', async () => {
    const error = await load('ks.json', { passwordFile: 'wrong.txt' }).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain('not the passphrase');
    const bad = await privateFile(
      'bad.json',
      '{"kind": "sfr-remote-signer", "url": "ftp://x", "publicKey": "0x00"}',
    );
    await expect(load(bad)).rejects.toMatchObject({
      code: 'KEY_FILE_INVALID',
      message: `${bad}: remote signer url must be an http(s) URL`,
    });
  });
});

describe('sfr keys import and list', () => {
  it('imports a raw hex key from a file as a keystore, and another tool’s (pbkdf2) keystore as is', async () => {
    const pass = path.join(dir, 'pass.txt');
    const key = deriveTestKey('sfr-keys-import');
    const raw = await privateFile('raw.hex', `${key.privateKey.slice(2)}\n`);
    const out = path.join(dir, 'imported.json');
    const r = await cli(
      'keys',
      'import',
      '--key-file',
      raw,
      '--out',
      out,
      '--password-file',
      pass,
      '--light-kdf',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ address: key.address, form: 'keystore' });
    await expect(load('imported.json', { passwordFile: 'pass.txt' })).resolves.toMatchObject({
      member: key.address,
    });

    const other = deriveTestKey('sfr-keys-other-tool');
    const wallet = Wallet.fromPrivateKey(Buffer.from(other.privateKey.slice(2), 'hex'));
    const pbkdf2 = await wallet.toV3(PASS, { kdf: 'pbkdf2', c: 1024 });
    const source = await privateFile('geth-like.json', JSON.stringify(pbkdf2));
    const copiedFile = path.join(dir, 'copied.json');
    const copied = await cli(
      'keys',
      'import',
      '--keystore',
      source,
      '--out',
      copiedFile,
      '--password-file',
      pass,
    );
    expect(copied.code).toBe(0);
    expect(JSON.parse(await readFile(copiedFile, 'utf8'))).toEqual(pbkdf2);
    await expect(load('copied.json', { passwordFile: 'pass.txt' })).resolves.toMatchObject({
      member: other.address,
    });

    const notAKey = await privateFile('short.hex', '0x1234');
    const refused = await cli(
      'keys',
      'import',
      '--key-file',
      notAKey,
      '--out',
      path.join(dir, 'x.json'),
      '--plaintext',
    );
    expect([refused.code, refused.stderr]).toEqual([
      1,
      'error ENVELOPE_KEY_INVALID: Not a secp256k1 private key.\n',
    ]);
  });

  it('lists key files with address and form and never a secret; flags one open to others', async () => {
    const folder = await mkdtemp(path.join(dir, 'list-'));
    const a = deriveTestKey('sfr-keys-list-a');
    await saveMemberKey(path.join(folder, 'a.json'), a);
    const b = deriveTestKey('sfr-keys-list-b');
    const wallet = Wallet.fromPrivateKey(Buffer.from(b.privateKey.slice(2), 'hex'));
    const keystore = JSON.stringify(await wallet.toV3(PASS, { kdf: 'pbkdf2', c: 1024 }));
    await writeFile(path.join(folder, 'b.json'), keystore, { mode: 0o600 });
    await writeFile(path.join(folder, 'c.json'), '{"kind": "sfr-member-key"}', { mode: 0o644 });
    await chmod(path.join(folder, 'c.json'), 0o644);
    await writeFile(path.join(folder, 'config.json'), '{"dataDir": "data"}', { mode: 0o644 });
    const r = await cli('keys', 'list', folder, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { file: path.join(folder, 'a.json'), address: a.address, form: 'plaintext', problem: null },
      { file: path.join(folder, 'b.json'), address: b.address, form: 'keystore', problem: null },
      { file: path.join(folder, 'c.json'), address: null, form: null, problem: 'KEY_FILE_INSECURE' },
    ]);
    expect(r.stdout).not.toContain(a.privateKey.slice(2));
    const human = await cli('keys', 'list', folder);
    expect(human.stdout.split('\n')[0]).toBe(`${a.address}  plaintext  ${path.join(folder, 'a.json')}`);
  });
});
