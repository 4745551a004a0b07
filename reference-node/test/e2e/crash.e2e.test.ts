/**
 * Crash safety of the whole node: a node process is SIGKILLed repeatedly while it ingests alerts
 * submitted over HTTP; after each restart every acknowledged alert is present and the store opens
 * cleanly (health OK, the node signs again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { alertPayload } from '../node/fixtures.js';
import { api, createProcNetwork, type ProcNetwork } from './processNetwork.js';

const ROUNDS = 3;

describe('SIGKILL during ingest', () => {
  let net: ProcNetwork;
  beforeAll(async () => {
    net = await createProcNetwork(1);
    await net.start(0);
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  }, TIMEOUTS.hook);

  it(`nothing acknowledged is lost across ${ROUNDS} kill -9 restarts`, async () => {
    const node = net.nodes[0]!;
    const acked: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let stop = false;
      const submitting = (async () => {
        let k = 0;
        while (!stop) {
          try {
            const r = await api(node, 'POST', '/v1/alerts', {
              payload: alertPayload(Date.now(), round * 1000 + k++),
            });
            if (r.status >= 200 && r.status < 300) acked.push(r.json.messageId);
          } catch {
            // The process died mid-request: that alert was never acknowledged.
            return;
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 600 + Math.floor(Math.random() * 900)));
      await net.kill(0, 'SIGKILL');
      stop = true;
      await submitting;
      await net.start(0);
      const health = await api(node, 'GET', '/ready');
      expect(health.status).toBe(200);
      // Every acknowledged alert is stored: read the store page by page (one GET per id would run into
      // the API's rate limit of 600 requests a minute once several hundred are acknowledged).
      const stored = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await api(
          node,
          'GET',
          `/v1/messages?type=ContagionAlert&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        expect(page.status).toBe(200);
        for (const m of page.json.items as Array<{ messageId: string }>) stored.add(m.messageId);
        cursor = (page.json.nextCursor as string | undefined) ?? null;
      } while (cursor !== null);
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    }
    expect(acked.length).toBeGreaterThan(ROUNDS);
    console.log(
      `[crash e2e] ${acked.length} alerts acknowledged over ${ROUNDS} kill -9 restarts; all present after each`,
    );
    // And it signs again after the last crash (its journal and seq reservation survived).
    const after = await api(node, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), 99_999) });
    expect(after.status).toBeLessThan(300);
  });
});
