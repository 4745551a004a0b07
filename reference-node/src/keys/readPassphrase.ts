import { KeyError } from './keyError.js';
import { readPrivateFile } from './privateFile.js';

/**
 * Where a keystore passphrase comes from (never the command line, where `ps` and shell history
 * would show it): a file (mode 0600; its first line, as geth's `--password`), an environment
 * variable named by the operator, or a prompt on a terminal. The first given wins, in that order.
 */
export type PassphraseSource = {
  readonly passwordFile?: string | undefined;
  /** The NAME of the variable holding the passphrase, e.g. `KEYSTORE_PASSPHRASE`. */
  readonly passwordEnv?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Ask on this terminal when neither of the above is given (only when it is a TTY). */
  readonly tty?: { readonly input: NodeJS.ReadStream; readonly output: NodeJS.WriteStream };
  /** The prompt's question; `confirm` asks twice and refuses a mismatch (new keys). */
  readonly prompt?: string;
  readonly confirm?: boolean;
};

/** Resolves the passphrase, or throws `KEY_PASSPHRASE_MISSING` / `KEY_FILE_INSECURE`. */
export async function readPassphrase(source: PassphraseSource): Promise<string> {
  if (source.passwordFile !== undefined) {
    const text = await readPrivateFile(source.passwordFile, 'passphrase file');
    const first = text.split(/\r?\n/)[0] ?? '';
    if (first.length === 0) {
      throw new KeyError('KEY_PASSPHRASE_MISSING', `the passphrase file ${source.passwordFile} is empty`);
    }
    return first;
  }
  if (source.passwordEnv !== undefined) {
    const value = (source.env ?? process.env)[source.passwordEnv];
    if (value === undefined || value.length === 0) {
      throw new KeyError('KEY_PASSPHRASE_MISSING', `the variable ${source.passwordEnv} is not set`);
    }
    return value;
  }
  const tty = source.tty ?? { input: process.stdin, output: process.stderr };
  if (!tty.input.isTTY) {
    throw new KeyError(
      'KEY_PASSPHRASE_MISSING',
      'a keystore passphrase is needed: give --password-file <file> or --password-env <NAME> (no terminal to ask on)',
    );
  }
  const first = await promptHidden(tty, `${source.prompt ?? 'Keystore passphrase'}: `);
  if (source.confirm) {
    const again = await promptHidden(tty, 'Repeat passphrase: ');
    if (again !== first) throw new KeyError('KEY_PASSPHRASE_MISSING', 'the passphrases differ');
  }
  if (first.length === 0) throw new KeyError('KEY_PASSPHRASE_MISSING', 'an empty passphrase');
  return first;
}

/** Reads one line from a TTY in raw mode, echoing nothing. */
function promptHidden(
  tty: { readonly input: NodeJS.ReadStream; readonly output: NodeJS.WriteStream },
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const { input, output } = tty;
    output.write(question);
    input.setRawMode(true);
    input.resume();
    let line = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new KeyError('KEY_PASSPHRASE_MISSING', 'interrupted'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    input.on('data', onData);
  });
}
