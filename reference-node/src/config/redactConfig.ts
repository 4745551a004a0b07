/** Keys whose values are secrets (a `…File` / `…Path` / `…Dir` key names where a secret lives, which is fine to log). */
const SECRET_KEY = /(secret|token|password|passphrase|privatekey|apikey|credential|mnemonic|seed)/i;
const PATH_KEY = /(file|path|dir)$/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export const REDACTED = '[redacted]';

/**
 * A copy of `config` safe to log: secret-named values replaced, and URLs cut to scheme + host
 * (RPC endpoints and webhook URLs often carry an API key in the path, query or user-info).
 */
export function redactConfig<T>(config: T): T {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && !PATH_KEY.test(key)) {
      return value === undefined || value === null ? value : REDACTED;
    }
    if (typeof value === 'string') return URL_LIKE.test(value) ? redactUrl(value) : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return walk(config, undefined) as T;
}

/** `https://user:pw@rpc.example/v2/KEY?x=1` → `https://rpc.example/…`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hasMore =
      (u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.username !== '' || u.hash !== '';
    return `${u.protocol}//${u.host}${hasMore ? '/…' : ''}`;
  } catch {
    return REDACTED;
  }
}
