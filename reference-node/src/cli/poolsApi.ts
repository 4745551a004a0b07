import { readFile } from 'node:fs/promises';
import { registeredCodeOf } from '@sfr/schemas';
import { CliError, EXIT_USAGE } from './cliError.js';

/** How long a pool command waits for the node. */
export const POOL_API_TIMEOUT_MS = 10_000;

/** The API token for mutations: `--token-file`, else `SFR_API_TOKEN`. */
export async function readApiToken(tokenFile: string | undefined, env = process.env): Promise<string> {
  if (tokenFile !== undefined) {
    try {
      const t = (await readFile(tokenFile, 'utf8')).trim();
      if (t.length > 0) return t;
    } catch (error) {
      throw new CliError(
        'CONFIG_KEY_UNREADABLE',
        `cannot read --token-file ${tokenFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const t = env['SFR_API_TOKEN'];
  if (t !== undefined && t.length > 0) return t;
  throw new CliError(
    'API_UNAUTHORIZED',
    'this command changes something: give --token-file <file> (the node’s http.tokenFile) or SFR_API_TOKEN',
    EXIT_USAGE,
  );
}

/**
 * Calls the node API; a problem answer becomes a CliError with the problem's reason code, and with
 * its normative `pointer` and `expected` (api.md#errors) when it has them: which field, what it wanted.
 */
export async function callApi(
  apiUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, apiUrl), {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(POOL_API_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliError('API_UNREACHABLE', `no node answers at ${apiUrl} (${cause})`);
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const p = body as
      | {
          code?: string;
          title?: string;
          detail?: string;
          pointer?: unknown;
          field?: unknown;
          expected?: unknown;
        }
      | undefined;
    // A body error names its pointer, a query or path error its field (api.md#errors, Problem).
    const where =
      typeof p?.pointer === 'string'
        ? `; field ${p.pointer === '' ? '/' : p.pointer}`
        : typeof p?.field === 'string'
          ? `; field ${p.field}`
          : '';
    const expected = typeof p?.expected === 'string' ? `; expected ${p.expected}` : '';
    throw new CliError(
      registeredCodeOf(p, 'API_BAD_RESPONSE'),
      `${apiUrl} answered ${res.status}${p?.title ? `: ${p.title}` : ''}${p?.detail ? ` (${p.detail})` : ''}${where}${expected}`,
    );
  }
  return body;
}

export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      'CONFIG_FILE_UNREADABLE',
      `cannot read ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError('SCHEMA_NOT_JSON', `${what} ${file} is not JSON`);
  }
}
