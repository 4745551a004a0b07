import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  addressOfPrivateKey,
  EnvelopeError,
  generateMemberKey,
  type Hex,
  type MemberKey,
} from '../envelope/index.js';
import {
  decryptKeystore,
  inspectKeyFile,
  KeyError,
  type KeyFileForm,
  readKeystoreFile,
  readPassphrase,
  readPrivateFile,
  writeKeyFile,
  writePrivateFile,
} from '../keys/index.js';
import { CliError, EXIT_USAGE } from './cliError.js';

type PassOptions = {
  readonly passwordFile?: string | undefined;
  readonly passwordEnv?: string | undefined;
  readonly plaintext?: boolean;
  readonly lightKdf?: boolean;
};

export type KeyWritten = { address: string; file: string; form: KeyFileForm };

/** Key-domain and envelope errors keep their code on the command line. */
async function coded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof KeyError || error instanceof EnvelopeError) {
      throw new CliError(error.code, error.message.split('\n')[0]!);
    }
    throw error;
  }
}

/** Writes `key` to `out` as a keystore (passphrase asked twice on a terminal) or, with --plaintext, as is. */
async function writeMemberKey(
  out: string,
  key: MemberKey,
  o: PassOptions & { force?: boolean },
): Promise<KeyWritten> {
  const file = path.resolve(out);
  // Before a passphrase is asked for, and in the same words for both forms.
  if (
    !o.force &&
    (await stat(file).then(
      () => true,
      () => false,
    ))
  ) {
    throw new CliError('ENVELOPE_INVALID_INPUT', `Refusing to overwrite an existing key file. (${file})`);
  }
  if (o.plaintext) {
    await coded(() => writeKeyFile(file, key, { form: 'plaintext', overwrite: o.force ?? false }));
    return { address: key.address, file, form: 'plaintext' };
  }
  await coded(async () => {
    const passphrase = await readPassphrase({
      passwordFile: o.passwordFile,
      passwordEnv: o.passwordEnv,
      prompt: `Passphrase for the new keystore ${file}`,
      confirm: true,
    });
    await writeKeyFile(file, key, {
      form: 'keystore',
      passphrase,
      strength: o.lightKdf ? 'light' : 'standard',
      overwrite: o.force ?? false,
    });
  });
  return { address: key.address, file, form: 'keystore' };
}

/** `sfr keys new`: a fresh key from the OS CSPRNG, written as a keystore by default. */
export async function keysNew(o: PassOptions & { out: string; force?: boolean }): Promise<KeyWritten> {
  return writeMemberKey(o.out, generateMemberKey(), o);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `sfr keys import`: a raw hex key (file or stdin) or an existing v3 keystore. */
export async function keysImport(
  o: PassOptions & { keyFile?: string; keystore?: string; out: string; force?: boolean },
): Promise<KeyWritten> {
  if ((o.keyFile === undefined) === (o.keystore === undefined)) {
    throw new CliError(
      'API_BAD_PARAMETER',
      'give --key-file <file|-> or --keystore <file>, one of them',
      EXIT_USAGE,
    );
  }
  if (o.keystore !== undefined) {
    const source = path.resolve(o.keystore);
    const keystore = await coded(() => readKeystoreFile(source));
    const key = await coded(async () =>
      decryptKeystore(
        keystore,
        await readPassphrase({
          passwordFile: o.passwordFile,
          passwordEnv: o.passwordEnv,
          prompt: `Passphrase of ${source}`,
        }),
        source,
      ),
    );
    if (o.plaintext) return writeMemberKey(o.out, key, o);
    const file = path.resolve(o.out);
    await coded(() => writePrivateFile(file, `${JSON.stringify(keystore, null, 2)}\n`, o.force ?? false));
    return { address: key.address, file, form: 'keystore' };
  }
  const text =
    o.keyFile === '-'
      ? await readStdin()
      : await coded(() => readPrivateFile(path.resolve(o.keyFile!), 'key file'));
  const hex = text
    .trim()
    .replace(/^(0x)?/i, '0x')
    .toLowerCase() as Hex;
  const address = await coded(async () => addressOfPrivateKey(hex));
  return writeMemberKey(o.out, { privateKey: hex, address }, o);
}

export type KeyListItem = {
  file: string;
  address: string | null;
  form: KeyFileForm | null;
  /** A reason code when the file cannot be used as it is (e.g. KEY_FILE_INSECURE). */
  problem: string | null;
};

/** `sfr keys list`: key files among `paths` (files, or folders' *.json), never decrypting anything. */
export async function keysList(paths: readonly string[]): Promise<KeyListItem[]> {
  const items: KeyListItem[] = [];
  for (const p of paths) {
    const target = path.resolve(p);
    const isDir = await stat(target).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const files = isDir
      ? (await readdir(target))
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => path.join(target, f))
      : [target];
    for (const file of files) {
      try {
        const info = await inspectKeyFile(file);
        items.push({ file, address: info.address, form: info.form, problem: null });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'KEY_FILE_INVALID';
        // In a folder, JSON that is no key file is not listed; an insecure key file is.
        if (isDir && code === 'KEY_FILE_INVALID') continue;
        if (isDir && code === 'KEY_FILE_INSECURE' && !(await looksLikeKeyFile(file))) continue;
        items.push({ file, address: null, form: null, problem: code });
      }
    }
  }
  return items;
}

async function looksLikeKeyFile(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return /"(kind|crypto|Crypto)"\s*:/.test(text);
}

export function formatKeyWritten(r: KeyWritten): string {
  return `member ${r.address}\n${r.form === 'keystore' ? 'keystore' : 'plaintext key file'} ${r.file} (mode 0600)\n`;
}

export function formatKeyList(items: readonly KeyListItem[]): string {
  if (items.length === 0) return 'no key files\n';
  return `${items
    .map((i) => `${i.address ?? '?'.padEnd(42)}  ${(i.form ?? i.problem ?? '').padEnd(9)}  ${i.file}`)
    .join('\n')}\n`;
}

export type KeyRotated = {
  member: string;
  newKey: string;
  effectiveFromSeq: number;
  messageId: string;
  seq: number;
  keyFile: string;
};

/**
 * `sfr keys rotate <keyFile>`: asks the running node to rotate to the key in `keyFile`
 * (`POST /v1/keys/rotate`, node.md#rotation). Only the file's absolute path is sent; the node opens
 * it on its own host, so the key never travels.
 */
export async function keysRotate(o: {
  keyFile: string;
  passwordFile?: string;
  api: string;
  tokenFile?: string;
}): Promise<KeyRotated> {
  const { callApi, readApiToken } = await import('./poolsApi.js');
  const token = await readApiToken(o.tokenFile);
  const keyFile = path.resolve(o.keyFile);
  const body = {
    keyFile,
    ...(o.passwordFile === undefined ? {} : { passwordFile: path.resolve(o.passwordFile) }),
  };
  const r = (await callApi(o.api, 'POST', '/v1/keys/rotate', { token, body })) as {
    messageId: string;
    seq: number;
    envelope: { issuer: string; payload: { keyRotation: { newKey: string; effectiveFromSeq: number } } };
  };
  const rotation = r.envelope.payload.keyRotation;
  return {
    member: r.envelope.issuer,
    newKey: rotation.newKey,
    effectiveFromSeq: rotation.effectiveFromSeq,
    messageId: r.messageId,
    seq: r.seq,
    keyFile,
  };
}

export function formatKeyRotated(r: KeyRotated): string {
  return (
    `${r.member} now signs with ${r.newKey} from seq ${r.effectiveFromSeq} (announcement ${r.messageId}, seq ${r.seq})\n` +
    `before the node's next start, set identity.keyFile to ${r.keyFile} and identity.member to ${r.member}\n`
  );
}
