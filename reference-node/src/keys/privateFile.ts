import type { Stats } from 'node:fs';
import { closeSync, constants, fsyncSync, openSync } from 'node:fs';
import { type FileHandle, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KeyError } from './keyError.js';

/** Why `readSecretFile` refused a file before returning its content. */
export type SecretFileRefusal =
  /** It could not be opened or read; `errno` is the system's code (ENOENT, EACCES …). */
  | { readonly reason: 'unreadable'; readonly errno: string; readonly cause: unknown }
  /** It is not a regular file; `kind` says what it is ("a FIFO", "a directory" …). */
  | { readonly reason: 'not-regular'; readonly kind: string }
  /** Group or others may read or write it; `mode` is its permission bits. */
  | { readonly reason: 'open-to-others'; readonly mode: number };

/** What a file that is not a regular file is, for an error message. */
function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/**
 * The content of a file holding a secret (member key, keystore, passphrase, API token, peer key),
 * read only when it is a regular file readable and writable by its owner only (node.md#keys,
 * node.md#configuration rule 6). Anything else is refused at once with `refuse(why)`, the caller's
 * coded error: a FIFO, a socket, a device or a directory would block the read (a FIFO until some
 * process writes to it: start-up hung, issue 13 finding 7) or return no key.
 *
 * One open, then checks on that open file (fstat), then the read: no window in which the path is
 * swapped between the check and the read. O_NONBLOCK keeps the open itself from waiting for a
 * FIFO's writer (a socket fails it with ENXIO); it does not change how a regular file reads.
 * Symbolic links are followed (mounted secrets are often links); the file they name is checked.
 */
export async function readSecretFile(
  file: string,
  refuse: (why: SecretFileRefusal) => Error,
): Promise<Buffer> {
  const unreadable = (cause: unknown) =>
    refuse({ reason: 'unreadable', errno: (cause as NodeJS.ErrnoException).code ?? 'error', cause });
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENXIO') {
      const info = await stat(file).catch(() => undefined);
      if (info !== undefined && !info.isFile()) throw refuse({ reason: 'not-regular', kind: kindOf(info) });
    }
    throw unreadable(cause);
  }
  try {
    let info: Stats;
    try {
      info = await handle.stat();
    } catch (cause) {
      throw unreadable(cause);
    }
    if (!info.isFile()) throw refuse({ reason: 'not-regular', kind: kindOf(info) });
    if ((info.mode & 0o077) !== 0) throw refuse({ reason: 'open-to-others', mode: info.mode & 0o777 });
    try {
      return await handle.readFile();
    } catch (cause) {
      throw unreadable(cause);
    }
  } finally {
    await handle.close();
  }
}

/**
 * The end of a refusal message, after the file's name, saying what was expected: `is not a regular
 * file (a FIFO); expected a regular file of mode 600` or `has mode 644; expected 600 (chmod 600
 * <file>)`. (An unreadable file is named with the system's code by the caller.)
 */
export function secretFileExpectation(
  file: string,
  why: Exclude<SecretFileRefusal, { reason: 'unreadable' }>,
): string {
  return why.reason === 'not-regular'
    ? `is not a regular file (${why.kind}); expected a regular file of mode 600`
    : `has mode ${why.mode.toString(8)}; expected 600 (chmod 600 ${file})`;
}

/**
 * Reads a file that holds a secret (key file, keystore, passphrase), refusing it when it is not a
 * regular file (`KEY_FILE_INVALID`) or when group or others may read or write it
 * (`KEY_FILE_INSECURE`) — the same rule as plaintext member keys (envelope.md#keys). `what` names
 * the file in errors; the content never appears in one.
 */
export async function readPrivateFile(file: string, what: string): Promise<string> {
  const bytes = await readSecretFile(file, (why) => {
    if (why.reason === 'unreadable')
      return new KeyError('KEY_FILE_INVALID', `cannot read the ${what} ${file} (${why.errno})`, {
        cause: why.cause,
      });
    if (why.reason === 'not-regular')
      return new KeyError('KEY_FILE_INVALID', `the ${what} ${file} ${secretFileExpectation(file, why)}`);
    return new KeyError('KEY_FILE_INSECURE', `the ${what} ${file} is open to other users`, {
      details: `mode ${why.mode.toString(8)}; expected 600 (chmod 600 ${file})`,
    });
  });
  return bytes.toString('utf8');
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
