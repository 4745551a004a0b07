import { closeSync, constants, fsyncSync, openSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KeyError } from './keyError.js';

/**
 * Reads a file that holds a secret (keystore, passphrase), refusing it when group or others may
 * read or write it — the same rule as plaintext member keys (envelope.md#keys). `what` names the
 * file in errors; the content never appears in one.
 */
export async function readPrivateFile(file: string, what: string): Promise<string> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (cause) {
    throw new KeyError(
      'KEY_FILE_INVALID',
      `cannot read the ${what} ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause },
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new KeyError('KEY_FILE_INSECURE', `the ${what} ${file} is open to other users`, {
      details: `mode ${(mode & 0o777).toString(8)}; expected 600 (chmod 600 ${file})`,
    });
  }
  return readFile(file, 'utf8');
}

/**
 * Writes `body` to `file` with mode 0600, atomically (temp file, fsync, rename, fsync the
 * folder), so a crash leaves the old file or the new one, never a torn secret. Refuses to replace
 * an existing file unless `overwrite`.
 */
export async function writePrivateFile(file: string, body: string, overwrite: boolean): Promise<void> {
  if (!overwrite) {
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) throw new KeyError('KEY_FILE_INVALID', `refusing to overwrite ${file} (pass --force)`);
  }
  await writeSecretAtomically(file, body);
}

/**
 * Writes `body` to `file` with mode 0600 atomically (temp file, fsync, rename, fsync the folder), so a
 * crash leaves the old file or the new one, never a torn secret. Replaces an existing file: callers
 * decide whether they may.
 */
export async function writeSecretAtomically(file: string, body: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  const dir = openSync(path.dirname(path.resolve(file)), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
