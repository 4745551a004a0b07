/**
 * One webhook POST over node:http / node:https (not `fetch`: its first call in a process loads and
 * compiles undici: measured on this machine ≈ 80 ms for the first POST against ≈ 4–10 ms after, a cost the first alert would pay).
 */
import http from 'node:http';
import https from 'node:https';

/** [sfr] At most 64 KiB of a receiver's answer is read, then dropped. */
const MAX_RESPONSE_BYTES = 65_536;

/** Resolves with the HTTP status; rejects on a network error, the timeout, or `signal`. */
export function postWebhook(p: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<number> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(p.url);
    } catch (err) {
      reject(err);
      return;
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (lib === undefined) {
      reject(new Error(`unsupported URL scheme ${u.protocol}`));
      return;
    }
    const bytes = Buffer.from(p.body, 'utf8');
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { ...p.headers, 'content-length': String(bytes.length) },
        timeout: p.timeoutMs,
        signal: p.signal,
      },
      (res) => {
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(bytes);
  });
}
