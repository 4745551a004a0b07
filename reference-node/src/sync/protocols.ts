/**
 * Request/response protocols for catch-up sync (spec/v1/p2p.md#sync) and their limits.
 */
export const STATUS_PROTOCOL = '/sfr/1/status/1.0.0';
export const SYNC_RANGE_PROTOCOL = '/sfr/1/sync/range/1.0.0';
export const SYNC_IDS_PROTOCOL = '/sfr/1/sync/ids/1.0.0';
/** p2p.md#sync-protocols: "I hold something new for you"; the receiver runs a catch-up session with the sender. */
export const SYNC_NUDGE_PROTOCOL = '/sfr/1/sync/nudge/1.0.0';

/** [sfr] Largest request frame: a range request is ~120 bytes; an ids request of 64 ids is ~4.3 KiB. */
export const MAX_REQUEST_BYTES = 8 * 1024;
/** [sfr] Messages per range response page; the store's own page bound is 1000 (store MAX_PAGE). */
export const MAX_RANGE_PAGE = 256;
/** [sfr] Ids per ids request: 64 × 67 bytes of JSON fits MAX_REQUEST_BYTES. */
export const MAX_IDS_PER_REQUEST = 64;
/** [sfr] Issuers in one status response: far above any v1 network's member count. */
export const MAX_STATUS_ISSUERS = 10_000;
/** [sfr] Largest status frame: 10 000 × ~60 bytes. */
export const MAX_STATUS_BYTES = 1024 * 1024;
/** [sfr] Whole-request deadline on the client side (dial + request + all frames). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** [sfr] Concurrent inbound streams per sync protocol per connection. */
export const MAX_INBOUND_STREAMS = 4;

/**
 * Per-peer inbound rate limit (token bucket). [sfr] 20 requests burst, 10 requests/s sustained: a node
 * catching up from one peer needs ~1 status + a few range pages per issuer; ten per second lets it fetch
 * 2 560 messages/s while a misbehaving peer costs at most 10 store range reads per second.
 */
export const RATE_LIMIT_BURST = 20;
export const RATE_LIMIT_PER_SECOND = 10;
/** [sfr] Peers tracked by the rate limiter; least recently seen evicted beyond this. */
export const RATE_LIMIT_MAX_PEERS = 1024;

/** Response frame kinds: the first byte of every response frame. */
export const FRAME_MESSAGE = 0x00;
export const FRAME_ERROR = 0x01;
export const FRAME_STATUS = 0x02;

/**
 * Session bounds (spec/v1/p2p.md#sync-sessions). [sfr] A session issues at most 1 024 range requests
 * (262 144 messages at 256 a page) and runs at most 60 s; past either it ends without offence and the
 * next round resumes from the per-peer watermark. An honest catch-up of a 60-s partition on a 5-member
 * network needs a handful of pages.
 */
export const SYNC_SESSION_MAX_REQUESTS = 1024;
export const SYNC_SESSION_MAX_MS = 60_000;
/**
 * [sfr] Range requests of one session in flight at once, each for a different issuer
 * (spec/v1/p2p.md#catch-up): 3, below the responder's 4 inbound streams per protocol and connection
 * (`MAX_INBOUND_STREAMS`), so a stream still closing at the responder never makes a fourth. One at a
 * time, a session after a partition took one round trip (100–400 ms here) per issuer behind.
 */
export const SYNC_SESSION_CONCURRENCY = 3;
/**
 * [sfr] Consecutive full pages of one issuer that store nothing new before the session ends with
 * SYNC_NO_PROGRESS. The requester skips seqs it already holds before asking, so an honest full page
 * stores at least its first message unless the responder lacks it too; two in a row is a peer serving
 * what it cannot advance.
 */
export const SYNC_MAX_BARREN_PAGES = 2;
/** [sfr] Back-off after an offence: 60 s, doubling per strike, at most 15 min (the score retention). */
export const SYNC_BACKOFF_BASE_MS = 60_000;
export const SYNC_BACKOFF_MAX_MS = 15 * 60_000;
/** [sfr] The strike at which the peer is disconnected and denied (graylist denial period). */
export const SYNC_STRIKES_BEFORE_DENY = 3;
/** [sfr] Peers whose strikes are remembered; oldest record evicted beyond this. */
export const SYNC_STRIKES_MAX_PEERS = 1024;
