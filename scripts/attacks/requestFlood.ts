/**
 * Attack 5a (issue 13 finding 5, "one rate-limit bucket per IP"): one local client without the token
 * floods the API with 3 000 requests; meanwhile and after, the operator's `/health` probe and its
 * authenticated writes must keep working (api.md Access rule 2, Limits rule 1).
 */
import http from 'node:http';
import { alertPayload } from '../../reference-node/test/node/fixtures.js';
import {
  type AttackOptions,
  crashCheck,
  type Figures,
  probe,
  type Reply,
  sleep,
  startVictims,
  tally,
  tokenOf,
} from './common.js';

/** Issue 13 finding 5: "after a 3,000-request flood, `/health` answered 429 for 57 s and 28 of 42 authenticated POSTs failed". */
const BEFORE = {
  floodRequests: 3_000,
  healthNot200AfterFloodS: 57,
  authenticatedPostsFailed: 28,
  authenticatedPosts: 42,
};

/**
 * The flood, 1 000 requests to each route in turn, `CONCURRENCY` at once: a read (over its budget of
 * 600 a minute), the probe, and a write without the token (over the write budget).
 */
const FLOOD_ROUTES = [
  { method: 'GET', path: '/v1/status' },
  { method: 'GET', path: '/health' },
  { method: 'POST', path: '/v1/alerts' },
] as const;
const CONCURRENCY = 32;
/** `/health` is probed this often after the flood, for `WATCH_MS` (longer than the 57 s). */
const PROBE_EVERY_MS = 250;
const WATCH_MS = 60_000;
/** The 42 authenticated POSTs, one every `POST_EVERY_MS` from the flood's end. */
const POST_EVERY_MS = 250;

export async function requestFlood(opts: AttackOptions): Promise<Figures> {
  const net = await startVictims(2);
  try {
    const victim = net.nodes[0]!;
    const base = victim.apiUrl;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const healthBefore = await probe(`${base}/health`);

    // The flood: 3 000 requests without the token from one client (127.0.0.1, keep-alive connections).
    const t0 = Date.now();
    const flood = new Map<string, Reply[]>(FLOOD_ROUTES.map((r) => [`${r.method} ${r.path}`, []]));
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < BEFORE.floodRequests; i = next++) {
          const route = FLOOD_ROUTES[i % FLOOD_ROUTES.length]!;
          flood.get(`${route.method} ${route.path}`)!.push(
            await probe(`${base}${route.path}`, {
              method: route.method,
              agent,
              ...(route.method === 'POST'
                ? { body: JSON.stringify({ payload: alertPayload(Date.now(), i) }) }
                : {}),
            }),
          );
        }
      }),
    );
    const floodMs = Date.now() - t0;
    agent.destroy();
    const tEnd = Date.now();

    // After it: /health probed every 250 ms, and the operator's 42 authenticated POSTs, side by side.
    const watchMs = Math.round(WATCH_MS * opts.scale);
    const health: Array<Reply & { at: number }> = [];
    const probing = (async () => {
      while (Date.now() - tEnd < watchMs) {
        const r = await probe(`${base}/health`);
        health.push({ ...r, at: Date.now() - tEnd });
        await sleep(PROBE_EVERY_MS);
      }
    })();
    const posts: Reply[] = [];
    for (let k = 0; k < BEFORE.authenticatedPosts; k++) {
      posts.push(
        await probe(`${base}/v1/alerts`, {
          method: 'POST',
          headers: tokenOf(victim),
          body: JSON.stringify({ payload: alertPayload(Date.now(), 10_000 + k) }),
        }),
      );
      await sleep(POST_EVERY_MS);
    }
    // What the flooding address itself and the token holder get on a flooded read route meanwhile.
    const anonymousRead = await probe(`${base}/v1/status`);
    const tokenRead = await probe(`${base}/v1/status`, { headers: tokenOf(victim) });
    await probing;

    const not200 = health.filter((h) => h.status !== 200);
    return {
      before: BEFORE,
      after: {
        floodRequests: [...flood.values()].reduce((n, rs) => n + rs.length, 0),
        floodMs,
        floodAnswers: Object.fromEntries([...flood].map(([route, rs]) => [route, tally(rs)])),
        healthBeforeFlood: healthBefore.status,
        healthProbes: health.length,
        healthWatchedS: Math.round(watchMs / 100) / 10,
        healthNot200: not200.length,
        // From the flood's end to the last /health answer that was not 200 (0: none was).
        healthNot200AfterFloodS: not200.length === 0 ? 0 : Math.round(not200.at(-1)!.at / 100) / 10,
        healthAnswers: tally(health),
        healthMaxMs: Math.max(...health.map((h) => h.ms)),
        authenticatedPosts: posts.length,
        authenticatedPostsFailed: posts.filter((p) => p.status !== 201).length,
        authenticatedPostAnswers: tally(posts),
        afterFlood: {
          anonymousReadSameAddress: anonymousRead.code ?? anonymousRead.status,
          tokenRead: tokenRead.code ?? tokenRead.status,
        },
      },
      node: crashCheck(victim),
    };
  } finally {
    await net.stop();
  }
}
