import path from 'node:path';
import { EnvelopeError, generateMemberKey, saveMemberKey } from '../envelope/index.js';
import { CliError } from './cliError.js';

export interface KeysNewParameters {
  readonly out: string;
  readonly force?: boolean;
}

/** Generates a member key and writes it (mode 0600, atomically); returns the address and file. */
export async function keysNew(p: KeysNewParameters): Promise<{ address: string; file: string }> {
  const file = path.resolve(p.out);
  const key = generateMemberKey();
  try {
    await saveMemberKey(file, key, { overwrite: p.force ?? false });
  } catch (error) {
    if (error instanceof EnvelopeError)
      throw new CliError(error.code, `${error.message.split('\n')[0]} (${file})`);
    throw new CliError('CONFIG_KEY_UNREADABLE', `cannot write ${file}: ${(error as Error).message}`);
  }
  return { address: key.address, file };
}
