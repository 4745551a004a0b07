/**
 * Catch-up sync (spec/v1/p2p.md#sync): serves `/sfr/1/status/1.0.0`, `/sfr/1/sync/range/1.0.0` and
 * `/sfr/1/sync/ids/1.0.0` from the store, and fetches what this node is missing from its peers — on every
 * new connection, periodically, and when a peer nudges it (`/sfr/1/sync/nudge/1.0.0`) — running every fetched message through the same validation pipeline
 * as gossip (without the gossip max-age rule) so it is stored exactly once.
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface';
import type { Store } from '../store/index.js';
import { runValidation, type ValidationMetrics } from '../validation/gossipAdapter.js';
import type { Membership } from '../validation/membership.js';
import type { ValidationPipeline } from '../validation/pipeline.js';
import type { IngestAccepted } from '../validation/types.js';
import { decodeJson, encodeJson, readFrames, readOneFrame, writeFrame, writeKindFrame } from './framing.js';
import {
  FRAME_ERROR,
  FRAME_MESSAGE,
  FRAME_STATUS,
  MAX_IDS_PER_REQUEST,
  MAX_INBOUND_STREAMS,
  MAX_RANGE_PAGE,
  MAX_REQUEST_BYTES,
  MAX_STATUS_BYTES,
  MAX_STATUS_ISSUERS,
  REQUEST_TIMEOUT_MS,
  STATUS_PROTOCOL,
  SYNC_IDS_PROTOCOL,
  SYNC_MAX_BARREN_PAGES,
  SYNC_NUDGE_PROTOCOL,
  SYNC_RANGE_PROTOCOL,
  SYNC_SESSION_CONCURRENCY,
  SYNC_SESSION_MAX_MS,
  SYNC_SESSION_MAX_REQUESTS,
} from './protocols.js';
import { PeerRateLimiter } from './rateLimiter.js';
import { type SyncCode, SyncError } from './syncCodes.js';
import { SyncStrikes } from './syncStrikes.js';

/** Session endings that are the peer's fault (spec/v1/p2p.md#sync-sessions): each is a strike. */
const OFFENCES: ReadonlySet<SyncCode> = new Set([
  'SYNC_BAD_RESPONSE',
  'SYNC_PEER_SERVED_INVALID',
  'SYNC_NO_PROGRESS',
]);

type SyncHost = Pick<
  Libp2p,
  'handle' | 'unhandle' | 'dialProtocol' | 'getPeers' | 'addEventListener' | 'removeEventListener'
>;
type SyncStore = Pick<Store, 'heads' | 'rangeBySeq' | 'getMessage' | 'holdsSeq'>;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-f]{64}$/;

export interface SyncReport {
  readonly peer: string;
  /** Messages received from the peer. */
  readonly fetched: number;
  /** Of those, newly accepted and stored. */
  readonly accepted: number;
  /** Of those, already held (duplicates by id or (issuer, seq)). */
  readonly duplicates: number;
  /** Of those, refused for another reason (IGNORE or REJECT). */
  readonly refused: number;
  /** How long the session took, ms (from its start, status request included). */
  readonly durationMs: number;
  /** Set when the session ended early. */
  readonly error?: SyncCode;
  /** With `error`: what failed (the error's message and its cause's name), for the log. */
  readonly errorDetail?: string;
}

export interface SyncServiceOptions {
  readonly libp2p: SyncHost;
  readonly store: SyncStore;
  readonly pipeline: ValidationPipeline;
  readonly membership: Membership;
  readonly metrics?: ValidationMetrics & {
    recordSync?(report: SyncReport): void;
  };
  /** Period of the background catch-up round (one peer per round, round-robin), ms; 0 disables it. */
  readonly intervalMs?: number;
  /** Delay after a new connection before syncing with that peer, ms. */
  readonly connectDelayMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxMessageBytes: number;
  readonly rateLimiter?: PeerRateLimiter;
  /** Called once per message accepted (and stored) through sync. */
  readonly onAccepted?: (accepted: IngestAccepted) => void;
  /** Called with every status a peer answered (the own-head rule reads its own issuer's head there). */
  readonly onStatus?: (peer: PeerId, heads: ReadonlyMap<string, number>) => void;
  /** Called when a peer reaches the deny threshold of sync offences; the node disconnects and denies it. */
  readonly onOffender?: (peer: PeerId, code: SyncCode) => void;
  readonly strikes?: SyncStrikes;
}

export interface SyncService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One full catch-up session with `peer`; never throws (errors are in the report). */
  syncWithPeer(peer: PeerId): Promise<SyncReport>;
  requestStatus(peer: PeerId): Promise<Map<string, number>>;
  requestRange(peer: PeerId, issuer: string, fromSeq: number, toSeq: number): Promise<Uint8Array[]>;
  requestIds(peer: PeerId, ids: readonly string[]): Promise<Uint8Array[]>;
  /**
   * Tells `peer` that this node holds messages it may lack (p2p.md#sync-protocols): the peer runs a
   * catch-up session with this node. Resolves once the peer took the nudge; throws SyncError otherwise.
   */
  nudge(peer: PeerId): Promise<void>;
}

/** Local contiguous prefix per issuer and per-peer watermarks are kept for at most this many peers. */
const MAX_WATERMARK_PEERS = 256;

export function createSyncService(opts: SyncServiceOptions): SyncService {
  const { libp2p, store, pipeline, membership } = opts;
  const limiter = opts.rateLimiter ?? new PeerRateLimiter();
  const strikes = opts.strikes ?? new SyncStrikes();
  const timeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const maxFrame = opts.maxMessageBytes + 1;
  /** peer → issuer → highest seq through which that peer's range has been fully fetched. */
  const watermarks = new Map<string, Map<string, number>>();
  /** issuer → highest seq s such that every seq 0…s is held locally (a pruned heartbeat counts as held). */
  const prefix = new Map<string, number>();
  const sessions = new Map<string, Promise<SyncReport>>();
  /**
   * issuer → the fetch of that issuer one session is running, resolved when it ends (p2p.md#catch-up:
   * one fetch per issuer across sessions). After a heal a node runs a session with every peer across
   * the cut at once; each asked every peer for the same ranges (30 nodes, 60 alerts: 5 160 fetched,
   * 3 558 of them duplicates) and waited for every copy.
   */
  const issuerFetches = new Map<string, Promise<void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let interval: ReturnType<typeof setInterval> | undefined;
  let round = 0;
  let running = false;
  const controller = new AbortController();

  // ---------------------------------------------------------------- server side

  async function refuse(stream: Stream, code: SyncCode, message: string): Promise<void> {
    try {
      await writeKindFrame(stream, FRAME_ERROR, encodeJson({ code, message }));
      await stream.close();
    } catch {
      stream.abort(new Error(code));
    }
  }

  async function serve(
    stream: Stream,
    peer: string,
    handler: (request: unknown, stream: Stream, signal: AbortSignal) => Promise<void>,
    readsRequest: boolean,
  ): Promise<void> {
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      if (!limiter.tryTake(peer)) return await refuse(stream, 'SYNC_RATE_LIMITED', 'too many requests');
      const request = readsRequest ? decodeJson(await readOneFrame(stream, MAX_REQUEST_BYTES)) : null;
      await handler(request, stream, signal);
      await stream.close({ signal });
    } catch (err) {
      if (err instanceof SyncError) return await refuse(stream, err.code, err.message);
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async function handleStatus(_req: unknown, stream: Stream, signal: AbortSignal): Promise<void> {
    const heads: Array<{ issuer: string; seq: number }> = [];
    for (const [issuer, seq] of store.heads()) {
      if (heads.length >= MAX_STATUS_ISSUERS) break;
      heads.push({ issuer, seq });
    }
    await writeKindFrame(stream, FRAME_STATUS, encodeJson({ heads }), signal);
  }

  async function handleRange(req: unknown, stream: Stream, signal: AbortSignal): Promise<void> {
    const r = req as { issuer?: unknown; fromSeq?: unknown; toSeq?: unknown } | null;
    if (
      r === null ||
      typeof r !== 'object' ||
      typeof r.issuer !== 'string' ||
      !ADDRESS.test(r.issuer) ||
      !Number.isSafeInteger(r.fromSeq) ||
      !Number.isSafeInteger(r.toSeq) ||
      (r.fromSeq as number) < 0 ||
      (r.toSeq as number) < (r.fromSeq as number)
    ) {
      throw new SyncError('SYNC_BAD_REQUEST', 'range request must be {issuer, fromSeq ≤ toSeq}');
    }
    const page = await store.rangeBySeq(
      r.issuer.toLowerCase(),
      r.fromSeq as number,
      r.toSeq as number,
      MAX_RANGE_PAGE,
    );
    for (const m of page) await writeKindFrame(stream, FRAME_MESSAGE, m.wire, signal);
  }

  async function handleIds(req: unknown, stream: Stream, signal: AbortSignal): Promise<void> {
    const ids = (req as { ids?: unknown } | null)?.ids;
    if (
      !Array.isArray(ids) ||
      ids.length > MAX_IDS_PER_REQUEST ||
      !ids.every((id) => typeof id === 'string' && BYTES32.test(id))
    ) {
      throw new SyncError(
        'SYNC_BAD_REQUEST',
        `ids request must be {ids: bytes32[] (≤ ${MAX_IDS_PER_REQUEST})}`,
      );
    }
    for (const id of ids as string[]) {
      const m = await store.getMessage(id);
      if (m !== undefined) await writeKindFrame(stream, FRAME_MESSAGE, m.wire, signal);
    }
  }

  /** Peers that nudged during a running session with them: one more session follows it. */
  const renudged = new Set<string>();

  /** p2p.md#sync-protocols: a nudge starts a catch-up session with the sender (one more if one runs). */
  function takeNudge(peer: PeerId): void {
    if (!running) return;
    const key = peer.toString();
    if (sessions.has(key)) renudged.add(key);
    else void syncWithPeer(peer);
  }

  // ---------------------------------------------------------------- client side

  async function request(
    peer: PeerId,
    protocol: string,
    body: unknown,
    maxBytes: number,
  ): Promise<Array<{ kind: number; body: Uint8Array }>> {
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]);
    let stream: Stream;
    try {
      stream = await libp2p.dialProtocol(peer, protocol, { signal });
    } catch (err) {
      throw new SyncError(
        signal.aborted ? 'SYNC_TIMEOUT' : 'SYNC_PEER_UNREACHABLE',
        `cannot open ${protocol}`,
        {
          cause: err,
        },
      );
    }
    const onAbort = (): void => stream.abort(new Error('sync request timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Start reading before writing: a stream's iterator only sees the remote's close if it was
      // listening when it happened (libp2p 3 message streams).
      const reading = (async () => {
        const out: Array<{ kind: number; body: Uint8Array }> = [];
        for await (const frame of readFrames(stream, maxBytes)) {
          if (frame.length < 1) throw new SyncError('SYNC_BAD_RESPONSE', 'empty response frame');
          out.push({ kind: frame[0] as number, body: frame.subarray(1) });
          if (out.length > MAX_RANGE_PAGE + MAX_IDS_PER_REQUEST) {
            throw new SyncError('SYNC_BAD_RESPONSE', 'more frames than any request allows');
          }
        }
        return out;
      })();
      reading.catch(() => {});
      // Requests carry no kind byte: the frame is the request JSON itself.
      if (body !== undefined) await writeFrame(stream, encodeJson(body), signal);
      await stream.close({ signal });
      const frames = await reading;
      const error = frames.find((f) => f.kind === FRAME_ERROR);
      if (error !== undefined) {
        const e = decodeJsonSafe(error.body) as { code?: unknown; message?: unknown } | undefined;
        const code =
          typeof e?.code === 'string' && e.code.startsWith('SYNC_')
            ? (e.code as SyncCode)
            : 'SYNC_BAD_RESPONSE';
        throw new SyncError(code, `peer refused ${protocol}: ${String(e?.message ?? '')}`.slice(0, 200));
      }
      return frames;
    } catch (err) {
      if (err instanceof SyncError) throw err;
      const code = requestFailure(err, signal.aborted);
      throw new SyncError(code, `${protocol} failed`, { cause: err });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async function requestStatus(peer: PeerId): Promise<Map<string, number>> {
    const frames = await request(peer, STATUS_PROTOCOL, undefined, MAX_STATUS_BYTES);
    const f = frames[0];
    if (frames.length !== 1 || f === undefined || f.kind !== FRAME_STATUS) {
      throw new SyncError('SYNC_BAD_RESPONSE', 'status response must be one status frame');
    }
    const parsed = decodeJsonSafe(f.body) as { heads?: unknown } | undefined;
    if (!Array.isArray(parsed?.heads) || parsed.heads.length > MAX_STATUS_ISSUERS) {
      throw new SyncError('SYNC_BAD_RESPONSE', 'status must be {heads: [{issuer, seq}]}');
    }
    const heads = new Map<string, number>();
    for (const h of parsed.heads as Array<{ issuer?: unknown; seq?: unknown }>) {
      if (
        typeof h?.issuer === 'string' &&
        ADDRESS.test(h.issuer) &&
        Number.isSafeInteger(h.seq) &&
        (h.seq as number) >= 0
      ) {
        heads.set(h.issuer.toLowerCase(), h.seq as number);
      }
    }
    opts.onStatus?.(peer, heads);
    return heads;
  }

  async function requestRange(
    peer: PeerId,
    issuer: string,
    fromSeq: number,
    toSeq: number,
  ): Promise<Uint8Array[]> {
    const frames = await request(peer, SYNC_RANGE_PROTOCOL, { issuer, fromSeq, toSeq }, maxFrame);
    if (frames.length > MAX_RANGE_PAGE) throw new SyncError('SYNC_BAD_RESPONSE', 'range page too long');
    return frames.filter((f) => f.kind === FRAME_MESSAGE).map((f) => f.body);
  }

  async function requestIds(peer: PeerId, ids: readonly string[]): Promise<Uint8Array[]> {
    if (ids.length > MAX_IDS_PER_REQUEST) throw new SyncError('SYNC_BAD_REQUEST', 'too many ids');
    const frames = await request(peer, SYNC_IDS_PROTOCOL, { ids }, maxFrame);
    return frames.filter((f) => f.kind === FRAME_MESSAGE).map((f) => f.body);
  }

  async function localPrefix(issuer: string): Promise<number> {
    let p = prefix.get(issuer) ?? -1;
    const head = store.heads().get(issuer) ?? -1;
    while (p < head && (await store.holdsSeq(issuer, p + 1))) p++;
    prefix.set(issuer, p);
    return p;
  }

  function watermarkOf(peer: string): Map<string, number> {
    let w = watermarks.get(peer);
    if (w === undefined) {
      w = new Map();
      watermarks.set(peer, w);
      if (watermarks.size > MAX_WATERMARK_PEERS) {
        const oldest = watermarks.keys().next();
        if (oldest.done !== true) watermarks.delete(oldest.value);
      }
    }
    return w;
  }

  /** Skips the seqs from `from` on that this node already holds, so a request starts at one it lacks. */
  async function firstMissing(issuer: string, from: number, to: number): Promise<number> {
    let seq = from;
    while (seq <= to && (await store.holdsSeq(issuer, seq))) seq++;
    return seq;
  }

  /**
   * Claims `issuer` for the caller's fetch once no other session fetches it, waiting at most until
   * `deadline` (then it fetches beside the other, unclaimed); returns the release to call after the
   * fetch. The check and the claim are one synchronous step: a waiter woken with others claims before
   * they look, and they wait again.
   */
  async function claimIssuer(issuer: string, deadline: number): Promise<() => void> {
    for (let other = issuerFetches.get(issuer); other !== undefined; other = issuerFetches.get(issuer)) {
      const left = deadline - Date.now();
      if (left <= 0 || !running) return () => {};
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([other, new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    let settle = (): void => {};
    const done = new Promise<void>((r) => (settle = r));
    issuerFetches.set(issuer, done);
    return () => {
      issuerFetches.delete(issuer);
      settle();
    };
  }

  async function runSession(peer: PeerId): Promise<SyncReport> {
    const peerStr = peer.toString();
    const startedAt = Date.now();
    let fetched = 0;
    let accepted = 0;
    let duplicates = 0;
    let refused = 0;
    let detail: string | undefined;
    const failed = (err: unknown): SyncCode => {
      const cause = (err as { cause?: unknown })?.cause;
      detail =
        `${(err as Error)?.message ?? String(err)}${cause instanceof Error ? ` (${cause.name}: ${cause.message})` : ''}`.slice(
          0,
          300,
        );
      return err instanceof SyncError ? err.code : 'SYNC_INTERNAL_ERROR';
    };
    const report = (error?: SyncCode): SyncReport => {
      const r: SyncReport = {
        peer: peerStr,
        fetched,
        accepted,
        duplicates,
        refused,
        durationMs: Date.now() - startedAt,
        ...(error ? { error } : {}),
        ...(error && detail !== undefined ? { errorDetail: detail } : {}),
      };
      if (error !== undefined && OFFENCES.has(error)) {
        if (strikes.strike(peerStr)) opts.onOffender?.(peer, error);
      } else if (error === undefined) {
        strikes.clear(peerStr);
      }
      opts.metrics?.recordSync?.(r);
      return r;
    };
    // [p2p.md#sync-sessions] No session with a peer whose back-off runs.
    if (strikes.isBackedOff(peerStr)) return report('SYNC_PEER_BACKED_OFF');
    const deadline = Date.now() + SYNC_SESSION_MAX_MS;
    let requests = 0;
    /** How the session ends once a worker ended it: undefined while it runs, null for a clean stop. */
    let ended: SyncCode | null | undefined;
    const end = (code: SyncCode | null): void => {
      ended ??= code;
    };

    /** Fetches `issuer` from this peer up to `remoteHead`, page by page; stops when the session ended. */
    const fetchIssuer = async (issuer: string, remoteHead: number, marks: Map<string, number>) => {
      if (!running || ended !== undefined) return;
      let from = Math.max(await localPrefix(issuer), marks.get(issuer) ?? -1) + 1;
      let barren = 0;
      for (;;) {
        from = await firstMissing(issuer, from, remoteHead);
        if (from > remoteHead || !running || ended !== undefined) return;
        // [p2p.md#sync-sessions] Bounded in requests and time; what is left resumes next round.
        if (requests >= SYNC_SESSION_MAX_REQUESTS || Date.now() > deadline) return end(null);
        requests++;
        const page = await requestRange(peer, issuer, from, remoteHead);
        if (ended !== undefined) return;
        let last = from - 1;
        let stored = 0;
        for (const wire of page) {
          // [p2p.md#sync-sessions] Every message is the requested issuer's, within the requested range,
          // in strictly ascending seq; anything else is a broken or hostile responder.
          const header = decodeJsonSafe(wire) as { issuer?: unknown; seq?: unknown } | undefined;
          const seq = header?.seq;
          if (
            typeof header?.issuer !== 'string' ||
            header.issuer.toLowerCase() !== issuer ||
            typeof seq !== 'number' ||
            !Number.isSafeInteger(seq) ||
            seq <= last ||
            seq > remoteHead
          ) {
            detail = `message ${String(seq)} of ${String(header?.issuer)} outside ${issuer} ${last + 1}..${remoteHead}`;
            return end('SYNC_BAD_RESPONSE');
          }
          last = seq;
          fetched++;
          const result = await runValidation(pipeline, wire, { source: 'sync', from: peerStr }, opts.metrics);
          if (result.outcome === 'accept') {
            accepted++;
            stored++;
            opts.onAccepted?.(result);
          } else if (result.code === 'ENVELOPE_DUPLICATE') {
            duplicates++;
          } else if (result.outcome === 'reject') {
            refused++;
            detail = result.code;
            return end('SYNC_PEER_SERVED_INVALID');
          } else {
            refused++;
          }
        }
        if (page.length < MAX_RANGE_PAGE) {
          marks.set(issuer, remoteHead);
          return;
        }
        // [p2p.md#sync-sessions] A full page that stores nothing new is barren; too many in a row end
        // the session as an offence (a responder advertising a head it cannot advance towards).
        barren = stored === 0 ? barren + 1 : 0;
        if (barren >= SYNC_MAX_BARREN_PAGES) return end('SYNC_NO_PROGRESS');
        marks.set(issuer, last);
        from = last + 1;
      }
    };

    try {
      const heads = await requestStatus(peer);
      const marks = watermarkOf(peerStr);
      // [p2p.md#catch-up] Only the member issuers whose remote head is above what this node holds (its
      // contiguous prefix) and what this peer already served: a session that queued every issuer the
      // peer lists waited, after a heal, on other sessions' fetches of issuers it lacked nothing of.
      const behind: Array<[string, number]> = [];
      for (const [issuer, remoteHead] of heads)
        if (
          membership.isMember(issuer) &&
          remoteHead > Math.max(await localPrefix(issuer), marks.get(issuer) ?? -1)
        )
          behind.push([issuer, remoteHead]);
      // [p2p.md#catch-up] Several issuers at once (bounded): one round trip per issuer behind, one after
      // another, made a catch-up after a partition as slow as the link times the issuers. An issuer
      // another session is fetching comes last, once that fetch ended (or after one request timeout,
      // so a slow responder elsewhere delays this one by at most that): what it stored is then skipped.
      const take = (): [string, number] | undefined => {
        const free = behind.findIndex(([issuer]) => !issuerFetches.has(issuer));
        return behind.splice(free === -1 ? 0 : free, 1)[0];
      };
      const workers = Math.min(SYNC_SESSION_CONCURRENCY, behind.length);
      const worker = async (): Promise<void> => {
        for (let job = take(); job !== undefined && running && ended === undefined; job = take()) {
          const [issuer, remoteHead] = job;
          const release = await claimIssuer(issuer, Date.now() + timeoutMs);
          try {
            await fetchIssuer(issuer, remoteHead, marks);
          } catch (err) {
            end(failed(err));
          } finally {
            release();
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, () => worker()));
      return report(ended ?? undefined);
    } catch (err) {
      return report(failed(err));
    }
  }

  function syncWithPeer(peer: PeerId): Promise<SyncReport> {
    const key = peer.toString();
    const existing = sessions.get(key);
    if (existing !== undefined) return existing;
    const p = runSession(peer)
      .then((r) => {
        if (r.accepted > 0) passOn(peer);
        return r;
      })
      .finally(() => {
        sessions.delete(key);
        // A nudge that came during the session may announce what its status did not list yet.
        if (renudged.delete(key) && running) void syncWithPeer(peer);
      });
    sessions.set(key, p);
    return p;
  }

  /**
   * [p2p.md#catch-up] A session that stored messages nudges every other connected peer: what a node
   * fetched by sync is not relayed by gossip, so without it a healed partition reached the nodes with
   * no link across the cut only through periodic rounds (one peer every 30 s each).
   */
  /** p2p.md#sync-protocols: tells `peer` this node holds messages it may lack. */
  async function nudge(peer: PeerId): Promise<void> {
    await request(peer, SYNC_NUDGE_PROTOCOL, undefined, maxFrame);
  }

  function passOn(from: PeerId): void {
    if (!running) return;
    for (const other of libp2p.getPeers()) if (!other.equals(from)) void nudge(other).catch(() => {});
  }

  const onConnect = (evt: CustomEvent<PeerId>): void => {
    if (!running) return;
    const peer = evt.detail;
    const t = setTimeout(() => {
      timers.delete(t);
      if (running) void syncWithPeer(peer);
    }, opts.connectDelayMs ?? 500);
    timers.add(t);
  };

  return {
    async start() {
      if (running) return;
      running = true;
      const options = { maxInboundStreams: MAX_INBOUND_STREAMS };
      await libp2p.handle(
        STATUS_PROTOCOL,
        (s, c) => serve(s, c.remotePeer.toString(), handleStatus, false),
        options,
      );
      await libp2p.handle(
        SYNC_RANGE_PROTOCOL,
        (s, c) => serve(s, c.remotePeer.toString(), handleRange, true),
        options,
      );
      await libp2p.handle(
        SYNC_IDS_PROTOCOL,
        (s, c) => serve(s, c.remotePeer.toString(), handleIds, true),
        options,
      );
      await libp2p.handle(
        SYNC_NUDGE_PROTOCOL,
        (s, c) =>
          serve(
            s,
            c.remotePeer.toString(),
            async () => {
              takeNudge(c.remotePeer);
            },
            false,
          ),
        options,
      );
      libp2p.addEventListener('peer:connect', onConnect);
      const period = opts.intervalMs ?? 30_000;
      if (period > 0) {
        interval = setInterval(() => {
          const peers = libp2p.getPeers();
          if (peers.length === 0) return;
          const peer = peers[round++ % peers.length];
          if (peer !== undefined) void syncWithPeer(peer);
        }, period);
      }
    },
    async stop() {
      if (!running) return;
      running = false;
      controller.abort();
      libp2p.removeEventListener('peer:connect', onConnect);
      if (interval !== undefined) clearInterval(interval);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...sessions.values()]);
      await libp2p
        .unhandle([STATUS_PROTOCOL, SYNC_RANGE_PROTOCOL, SYNC_IDS_PROTOCOL, SYNC_NUDGE_PROTOCOL])
        .catch(() => {});
    },
    syncWithPeer,
    requestStatus,
    requestRange,
    requestIds,
    nudge,
  };
}

/**
 * libp2p errors that say the stream or its connection went away (reset, aborted, closed), not that the
 * peer answered badly: a partition, a peer restarting or a responder at its stream bound. They are
 * SYNC_PEER_UNREACHABLE, no offence (p2p.md#sync-sessions); as SYNC_BAD_RESPONSE, each connection an
 * honest peer lost in the middle of a request was a strike and a 60 s back-off, which after a healed
 * partition kept nodes from catching up from the very peers that held what they missed.
 */
const TRANSPORT_ERRORS: ReadonlySet<string> = new Set([
  'StreamResetError',
  'StreamAbortedError',
  'StreamStateError',
  'ConnectionClosedError',
  'ConnectionClosingError',
  'MuxerClosedError',
  'TooManyInboundProtocolStreamsError',
  'TooManyOutboundProtocolStreamsError',
]);

function named(err: unknown, names: ReadonlySet<string>): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++)
    if (names.has(e.name)) return true;
  return false;
}

const TIMEOUT_ERRORS: ReadonlySet<string> = new Set(['TimeoutError']);

/**
 * The code of a request that failed with a non-SyncError `err` (`aborted`: the request's own deadline
 * passed): a deadline, ours or one inside libp2p (stream negotiation, close), is SYNC_TIMEOUT; a lost
 * stream or connection SYNC_PEER_UNREACHABLE; anything else the peer's SYNC_BAD_RESPONSE. Only the
 * last is an offence (p2p.md#sync-sessions); a libp2p timeout read as one backed off 24 honest peers'
 * sessions in the 26 s after a 16-node heal at load 32.
 */
export function requestFailure(err: unknown, aborted: boolean): SyncCode {
  if (aborted || named(err, TIMEOUT_ERRORS)) return 'SYNC_TIMEOUT';
  if (named(err, TRANSPORT_ERRORS)) return 'SYNC_PEER_UNREACHABLE';
  return 'SYNC_BAD_RESPONSE';
}

function decodeJsonSafe(bytes: Uint8Array): unknown {
  try {
    return decodeJson(bytes);
  } catch {
    return undefined;
  }
}
