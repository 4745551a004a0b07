import { NodeError } from './nodeError.js';

/**
 * The own-head rule (spec/v1/node.md#own-head): a node whose store lost messages it had signed (a log
 * truncated after a crash, a data directory restored from a backup) still holds the member key, and its
 * journal lost the slots with the messages, so it would sign again at a seq its peers already hold and
 * be reported as an equivocator. Before its first signature after start it asks its connected peers
 * what they hold for its own issuer, and it refuses to sign while any peer was seen to hold more than
 * its own store does, until sync has brought those messages back.
 */
export interface OwnHeadGuard {
  /** Records that a peer holds `seq` as the head of this node's own issuer. */
  observe(seq: number): void;
  /**
   * Before signing: resolves once the first check after start ran (bounded), then throws NodeError
   * `GOSSIP_OWN_HEAD_BEHIND` while the store holds less than a peer was seen to hold.
   */
  assertCaughtUp(): Promise<void>;
  /** The lowest seq this node may sign next: above anything a peer was seen to hold. */
  nextSeqAtLeast(): number;
  status(): OwnHeadStatus;
}

export interface OwnHeadStatus {
  /** Highest own seq in the local store (−1: none). */
  readonly local: number;
  /** Highest own seq any peer was seen to hold (−1: none seen). */
  readonly observed: number;
  /** True while the node refuses to sign. */
  readonly behind: boolean;
  /** True once the first check after start completed. */
  readonly checked: boolean;
}

export interface OwnHeadGuardOptions {
  /** The store's head seq for this node's issuer (−1 when it holds none). */
  readonly localHead: () => number;
  /** Asks the connected peers for their status and calls `observe`; run once, before the first signature. */
  readonly firstCheck: () => Promise<void>;
}

export function createOwnHeadGuard(opts: OwnHeadGuardOptions): OwnHeadGuard {
  let observed = -1;
  let first: Promise<void> | undefined;
  let checked = false;
  const status = (): OwnHeadStatus => {
    const local = opts.localHead();
    return { local, observed, behind: observed > local, checked };
  };
  return {
    observe(seq) {
      if (Number.isSafeInteger(seq) && seq > observed) observed = seq;
    },
    async assertCaughtUp() {
      first ??= opts
        .firstCheck()
        .catch(() => {})
        .finally(() => {
          checked = true;
        });
      await first;
      const s = status();
      if (s.behind) {
        throw new NodeError(
          'GOSSIP_OWN_HEAD_BEHIND',
          `refusing to sign: peers hold this member's messages up to seq ${s.observed}, the store only up to ${s.local}; catching up by sync`,
          { details: { local: s.local, observed: s.observed } },
        );
      }
    },
    nextSeqAtLeast: () => observed + 1,
    status,
  };
}
