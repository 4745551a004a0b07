import { Option } from 'commander';
import { CliError, EXIT_USAGE } from './cliError.js';

/** Default API address: the HTTP API's default bind (NodeConfig http.host / http.port). */
export const DEFAULT_API_URL = 'http://127.0.0.1:7410';

/**
 * Checks an `--api` / `SFR_API` value before anything is sent: an http(s) URL with a host, e.g.
 * `http://127.0.0.1:7410`. `127.0.0.1:7410` (no scheme) is refused with the form expected rather
 * than failing later inside `fetch` with a bare TypeError.
 */
export function parseApiUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
    const hint = /^[\w.-]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(value)
      ? ` (did you mean http://${value}?)`
      : '';
    throw new CliError(
      'API_BAD_PARAMETER',
      `--api must be an http(s) URL such as ${DEFAULT_API_URL}, got "${value.slice(0, 200)}"${hint}`,
      EXIT_USAGE,
    );
  }
  return url.href.replace(/\/$/, '');
}

/** `--api <url>` (or SFR_API) of every command that calls a node's API. */
export const apiOption = (): Option =>
  new Option('--api <url>', 'the node API').env('SFR_API').default(DEFAULT_API_URL).argParser(parseApiUrl);

/** `--token-file <file>` (or SFR_API_TOKEN) of every command that changes something through the API. */
export const tokenOption = (): Option =>
  new Option('--token-file <file>', 'the node API token (http.tokenFile); or SFR_API_TOKEN');
