/**
 * The sync request/response protocols between two real nodes: paging, ids, per-peer rate limit, bad
 * requests, frame limits.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import * as lp from 'it-length-prefixed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS } from '../../../scripts/testTimeouts.js';
import { createMemorySigningJournal } from '../../src/envelope/index.js';
import {
  MAX_RANGE_PAGE,
  MAX_REQUEST_BYTES,
  RATE_LIMIT_BURST,
  STATUS_PROTOCOL,
  SYNC_RANGE_PROTOCOL,
} from '../../src/sync/protocols.js';
import { PeerRateLimiter } from '../../src/sync/rateLimiter.js';
import { SyncError } from '../../src/sync/syncCodes.js';
import { signedAlert, startNetwork, type TestNetwork, testKeys } from '../node/fixtures.js';

const N_MESSAGES = MAX_RANGE_PAGE + 44;

/** The responder's rate-limit clock: the wall clock, or the moment the rate-limit test stopped it. */
let stoppedAt: number | undefined;
const rateLimiter = new PeerRateLimiter({ now: () => stoppedAt ?? Date.now() });

describe('sync protocols', () => {
  let net: TestNetwork;
  const issuer = testKeys(1, 'sfr-e1-sync-issuer')[0]!;
  const ids: string[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      n: 2,
      extraMembers: [issuer.address],
      degree: 0,
      // The responder's request budget on a clock the rate-limit test stops: a loaded machine cannot
      // refill the bucket between two requests (that test saw none refused at load 25).
      overrides: (i) => (i === 1 ? { sync: { intervalMs: 0, connectDelayMs: 200, rateLimiter } } : {}),
    });
    const [, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const journal = createMemorySigningJournal();
    const now = Date.now();
    for (let seq = 0; seq < N_MESSAGES; seq++) {
      const signed = await signedAlert(issuer, seq, now, journal);
      const r = await b.pipeline.ingest(signed.wire, { source: 'local', from: 'local' });
      if (r.outcome !== 'accept') throw new Error(`fixture refused: ${r.code}`);
      ids.push(signed.messageId);
    }
  }, TIMEOUTS.hook);
  afterAll(async () => {
    await net?.stop();
  });

  it('status lists the responder’s head seq per issuer', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!);
    const heads = await a.sync.requestStatus(b.libp2p.peerId);
    expect(heads.get(issuer.address.toLowerCase())).toBe(N_MESSAGES - 1);
  });

  it('a range response is one bounded page in ascending seq', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const page = await a.sync.requestRange(b.libp2p.peerId, issuer.address, 0, N_MESSAGES);
    expect(page.length).toBe(MAX_RANGE_PAGE);
    const seqs = page.map((w) => (JSON.parse(new TextDecoder().decode(w)) as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: MAX_RANGE_PAGE }, (_, i) => i));
  });

  it('ids returns exactly the stored messages asked for', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const unknown = `0x${'0'.repeat(64)}`;
    const got = await a.sync.requestIds(b.libp2p.peerId, [ids[3]!, unknown, ids[299]!]);
    expect(got.length).toBe(2);
  });

  it('a session fetches every page, stores each message once, and a second session fetches nothing', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const first = await a.sync.syncWithPeer(b.libp2p.peerId);
    expect(first).toMatchObject({ fetched: N_MESSAGES, accepted: N_MESSAGES, duplicates: 0, refused: 0 });
    expect(first.error).toBeUndefined();
    const range = await a.store.rangeBySeq(issuer.address.toLowerCase(), 0, N_MESSAGES);
    expect(range.map((m) => m.id)).toEqual(ids);
    const second = await a.sync.syncWithPeer(b.libp2p.peerId);
    expect(second).toMatchObject({ fetched: 0, accepted: 0 });
  });

  it('a malformed request is answered SYNC_BAD_REQUEST; an oversized frame SYNC_FRAME_TOO_LARGE', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const ask = async (body: Uint8Array): Promise<unknown> => {
      const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, SYNC_RANGE_PROTOCOL, {
        signal: AbortSignal.timeout(5000),
      });
      const frames: Uint8Array[] = [];
      const reading = (async () => {
        for await (const f of lp.decode(stream, { maxDataLength: 1 << 20 })) frames.push(f.subarray());
      })();
      stream.send(lp.encode.single(body));
      await stream.close();
      await reading;
      const f = frames[0]!;
      expect(f[0]).toBe(0x01);
      return JSON.parse(new TextDecoder().decode(f.subarray(1)));
    };
    expect(await ask(new TextEncoder().encode('{"issuer": 5}'))).toMatchObject({ code: 'SYNC_BAD_REQUEST' });
    expect(await ask(new Uint8Array(MAX_REQUEST_BYTES + 1).fill(32))).toMatchObject({
      code: 'SYNC_FRAME_TOO_LARGE',
    });
  });

  it('a peer exceeding its request budget is refused SYNC_RATE_LIMITED', async () => {
    const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
    const peer = peerIdFromString(b.peerId);
    // Sequential, so the inbound stream limit is not what refuses them; the responder's clock stands
    // still meanwhile, so its bucket holds at most RATE_LIMIT_BURST tokens for all of them.
    const results: PromiseSettledResult<unknown>[] = [];
    stoppedAt = Date.now();
    for (let i = 0; i < RATE_LIMIT_BURST * 2; i++) {
      results.push(...(await Promise.allSettled([a.sync.requestStatus(peer)])));
    }
    stoppedAt = undefined;
    const limited = results.filter(
      (r) =>
        r.status === 'rejected' && r.reason instanceof SyncError && r.reason.code === 'SYNC_RATE_LIMITED',
    );
    expect(limited.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(RATE_LIMIT_BURST);
    expect(STATUS_PROTOCOL).toBe('/sfr/1/status/1.0.0');
  });
});
