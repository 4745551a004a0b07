import { ALERT_TTL_MAX_MS } from '../api/routes.js';
import { CliError, EXIT_USAGE } from './cliError.js';
import { callApi, readApiToken, readJsonFile } from './poolsApi.js';

/** Milliseconds per unit of a `--ttl` duration. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--ttl 6h` → 21 600 000: a whole number and one unit (ms, s, m, h, d), 1 ms … 30 days. */
export function parseTtl(value: string): number {
  const m = /^([1-9][0-9]{0,9})(ms|s|m|h|d)$/.exec(value.trim());
  const ms = m === null ? Number.NaN : Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!(ms >= 1 && ms <= ALERT_TTL_MAX_MS))
    throw new CliError(
      'API_BAD_PARAMETER',
      `--ttl must be a duration such as 6h, 30m or 90s (ms, s, m, h, d; at most 30d), got "${value.slice(0, 64)}"`,
      EXIT_USAGE,
    );
  return ms;
}

/**
 * `sfr alert publish`: sign and publish a ContagionAlert from a SubmitAlertRequest file (api.md);
 * with `--ttl` the node sets its `observedAt` to now and `expiresAt` to now + ttl (`?ttlMs`), so a
 * stored request (the documented example) is active whenever it is sent.
 */
export async function publishAlert(o: {
  api: string;
  file: string;
  ttl?: string;
  tokenFile?: string;
}): Promise<{ messageId: string; seq: number; expiresAt: number }> {
  const ttlMs = o.ttl === undefined ? undefined : parseTtl(o.ttl);
  const token = await readApiToken(o.tokenFile);
  const body = await readJsonFile(o.file, 'alert request file');
  const r = (await callApi(o.api, 'POST', `/v1/alerts${ttlMs === undefined ? '' : `?ttlMs=${ttlMs}`}`, {
    token,
    body,
  })) as { messageId: string; seq: number; envelope: { payload: { expiresAt: number } } };
  return { messageId: r.messageId, seq: r.seq, expiresAt: r.envelope.payload.expiresAt };
}
