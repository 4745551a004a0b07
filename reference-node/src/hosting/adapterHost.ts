/**
 * `createAdapterHost(params)`: the node side of spec/v1/adapters.md. Loads each configured adapter
 * package (`createAdapter(config)`), gives it a crash-safe file cursor under the data dir, runs its
 * poll loop, publishes every output through `node.publish(type, payload)` and commits the adapter's
 * cursor only once every output of the scan is stored. A durable output-key log makes delivery
 * exactly-once across crashes (see outputLog.ts). On a reorg the adapter reports, each event it
 * published whose evidence the reorg removed is retracted (adapters.md#retracting-reorged-events).
 * A Startable: `start()` then `stop()`.
 */
import path from 'node:path';
import {
  type Adapter,
  AdapterError,
  type AdapterOutput,
  createFileCursorStore,
  type EvidenceRef,
  type EvidenceVerification,
  type ExposureProfile,
  type LossDerivation,
} from '@sfr/adapter-kit';
import type { Proposal } from '@sfr/schemas';
import { retractedIdOf, retractionPayload } from '../envelope/index.js';
import { isMultisigSigner, type MemberSigner } from '../keys/index.js';
import type { Logger } from '../logging/index.js';
import type { Store } from '../store/index.js';
import { type OutputLog, openOutputLog, type PendingOutput, stableJson } from './outputLog.js';

/** One `adapters[]` entry of the node config. */
export interface AdapterEntry {
  readonly package: string;
  readonly config?: Record<string, unknown>;
}

/** The part of `SfrNode` the host uses. */
export interface HostedNode {
  readonly member: string;
  readonly store: Pick<Store, 'headSeq' | 'rangeBySeq' | 'getMessage'>;
  /**
   * The node's publish path. On a multisig member's node (node.md#multisig-members) the message is
   * held as a proposal first: `onProposal` is called then, and the promise settles only when the owners'
   * signatures published it, or it expired.
   */
  publish(
    type: string,
    payload: Record<string, unknown>,
    options?: { readonly onProposal?: (proposal: Proposal) => void },
  ): Promise<{ messageId: string }>;
  /** The member's signer: a multisig one answers the outcome of a proposal held across a restart. */
  readonly signer?: MemberSigner;
}

export interface AdapterModule {
  createAdapter(config: never): Adapter;
}

export interface CreateAdapterHostParameters {
  readonly adapters: readonly AdapterEntry[];
  readonly node: HostedNode;
  /** The node's data dir: cursors and the output-key log go under `<dataDir>/adapters/`. */
  readonly dataDir: string;
  readonly logger?: Logger;
  /** How a package is loaded; default a dynamic `import(name)`. */
  readonly load?: (packageName: string) => Promise<unknown>;
  /** Back-off of a failing poll loop: `min(maxMs, baseMs · 2^(n−1))`; default 500 ms … 30 s. */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
}

export type AdapterHealth = 'starting' | 'ok' | 'degraded' | 'stopped';

export interface AdapterStatus {
  readonly name: string;
  readonly package: string;
  readonly protocol: string;
  readonly chain: string;
  readonly status: AdapterHealth;
  /** The code of the last failure while `degraded` (e.g. ADAPTER_RPC_UNAVAILABLE). */
  readonly code?: string;
  readonly detail?: string;
  readonly consecutiveFailures: number;
  readonly lastScanAt?: number;
  /** Last block scanned. */
  readonly scannedTo?: string;
  /** The chain head the last poll read. */
  readonly head?: string;
  /** How long the last poll's RPC reads took (ms): the adapter's RPC lag. */
  readonly lastPollMs?: number;
  readonly published: number;
  /** Retractions of its events published after reorgs (adapters.md#retracting-reorged-events). */
  readonly retracted: number;
}

export interface AdapterHost {
  start(): Promise<void>;
  stop(): Promise<void>;
  isStarted(): boolean;
  readonly adapters: readonly Adapter[];
  status(): AdapterStatus[];
  /** `/health` checks, one per adapter (`adapter:<protocol>:<chain>`). */
  healthChecks(): { name: string; status: 'ok' | 'degraded' | 'down'; detail?: string }[];
  /** Each adapter's exposure profile. */
  exposures(): ExposureProfile[];
  /** Every adapter's exposure merged (contracts, assets, feeds, protocols, subjects; de-duplicated). */
  exposure(): MergedExposure;
  /**
   * Re-checks an evidence ref with the adapter watching its chain and emitter (log) or target (call).
   * Never throws: `EVIDENCE_MALFORMED` for a non-ref, `EVIDENCE_WRONG_CHAIN` when no adapter reads that chain.
   */
  verifyEvidence(ref: unknown): Promise<EvidenceVerification>;
  /**
   * What the evidence proves, re-derived by the same adapter (adapters.md#loss-derivation); an
   * adapter without `deriveLoss` proves no kind. Never throws, like `verifyEvidence`.
   */
  deriveLoss(ref: unknown): Promise<LossDerivation>;
  /** Resolves once every adapter loop has finished one scan after this call (tests, demos). */
  settled(): Promise<void>;
}

export interface MergedExposure {
  readonly protocols: string[];
  readonly chains: string[];
  readonly contracts: ExposureProfile['contracts'];
  readonly assets: ExposureProfile['assets'];
  readonly oracleFeeds: ExposureProfile['oracleFeeds'];
  readonly dependsOn: ExposureProfile['protocols'];
  readonly subjects: ExposureProfile['subjects'];
}

/** How long `stop()` waits for a scan in progress before it lets it go. */
export const STOP_GRACE_MS = 5_000;

/** File name of the output-key log in `<dataDir>/adapters/`. */
export const OUTPUT_LOG_FILE = 'outputs.jsonl';

/** The output key of the retraction of the event with this message id (exactly once, like any output). */
export const retractKey = (messageId: string): string => `retract:${messageId}`;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function failEntry(index: number, pkg: string, message: string, cause?: unknown): never {
  throw new AdapterError('ADAPTER_CONFIG_INVALID', `adapters[${index}] (${pkg}): ${message}`, {
    details: { entry: index, package: pkg },
    ...(cause === undefined ? {} : { cause }),
  });
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const i of items) if (!seen.has(key(i))) seen.set(key(i), i);
  return [...seen.values()];
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

interface Slot {
  name: string;
  entry: AdapterEntry;
  adapter: Adapter;
  intervalMs: number;
  status: AdapterHealth;
  code?: string;
  detail?: string;
  failures: number;
  lastScanAt?: number;
  scannedTo?: string;
  head?: string;
  lastPollMs?: number;
  published: number;
  retracted: number;
  scanWaiters: (() => void)[];
}

/**
 * Loads and builds every adapter (no RPC is made): a package that cannot load, exports no
 * `createAdapter`, or refuses its config fails with `ADAPTER_CONFIG_INVALID` naming the entry.
 */
export async function createAdapterHost(params: CreateAdapterHostParameters): Promise<AdapterHost> {
  const log = params.logger?.child({ component: 'adapters' });
  const dir = path.join(params.dataDir, 'adapters');
  const load = params.load ?? ((name: string) => import(name) as Promise<unknown>);
  const baseMs = params.backoff?.baseMs ?? 500;
  const maxMs = params.backoff?.maxMs ?? 30_000;

  const slots: Slot[] = [];
  for (const [index, entry] of params.adapters.entries()) {
    let mod: unknown;
    try {
      mod = await load(entry.package);
    } catch (cause) {
      failEntry(
        index,
        entry.package,
        `cannot load the package (${(cause as Error).message ?? cause})`,
        cause,
      );
    }
    const factory = (mod as Partial<AdapterModule> | undefined)?.createAdapter;
    if (typeof factory !== 'function')
      failEntry(index, entry.package, 'the package exports no createAdapter');
    const own = entry.config ?? {};
    if (typeof own !== 'object' || own === null || Array.isArray(own))
      failEntry(index, entry.package, 'config must be an object');
    if ('cursorStore' in own) failEntry(index, entry.package, 'config.cursorStore is set by the host');
    const name = `${index}-${entry.package.replace(/^@/, '').replace(/[^a-zA-Z0-9._-]/g, '-')}`;
    let adapter: Adapter;
    try {
      adapter = (factory as (c: unknown) => Adapter)({
        ...own,
        cursorStore: createFileCursorStore(path.join(dir, name, 'cursor.json')),
      });
    } catch (cause) {
      failEntry(index, entry.package, (cause as Error).message ?? String(cause), cause);
    }
    const interval = (own as { pollIntervalMs?: unknown }).pollIntervalMs;
    slots.push({
      name,
      entry,
      adapter,
      intervalMs: typeof interval === 'number' && interval >= 0 ? interval : 4_000,
      status: 'stopped',
      failures: 0,
      published: 0,
      retracted: 0,
      scanWaiters: [],
    });
  }

  let outputs: OutputLog | undefined;
  let controller: AbortController | undefined;
  let loops: Promise<void>[] = [];
  let started = false;
  // One publisher at a time: the pending record's `after` must be the seq before *this* publish.
  let publishChain: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = publishChain.then(f);
    publishChain = next.catch(() => undefined);
    return next;
  };

  /** Our own message with this payload signed after `after`, if any (the crash-window search). */
  async function findPublished(p: PendingOutput): Promise<string | undefined> {
    const head = params.node.store.headSeq(params.node.member) ?? 0;
    const want = stableJson(p.payload);
    for (let from = p.after + 1; from <= head; from += 256) {
      const page = await params.node.store.rangeBySeq(params.node.member, from, Math.min(head, from + 255));
      for (const m of page) {
        try {
          const env = JSON.parse(new TextDecoder().decode(m.wire)) as { type?: string; payload?: unknown };
          if (env.type === p.type && stableJson(env.payload) === want) return m.id;
        } catch {
          // not JSON: not ours to match
        }
      }
    }
    return undefined;
  }

  /** Keys whose proposal this host follows (a multisig member's node), so it is followed once. */
  const following = new Set<string>();

  /**
   * adapters.md#multisig-members: follows an output held as a proposal, outside the poll loop and the
   * publish chain, until its owners' signatures publish it (done) or it expires unsigned (recorded
   * refused and logged, never proposed again; GET /v1/proposals/{id} answers `expired`).
   */
  function follow(
    entry: PendingOutput,
    outcome: Promise<{ messageId: string }>,
    onPublished?: () => void,
  ): void {
    following.add(entry.key);
    const o = outputs!;
    outcome
      .then(
        async (r) => {
          if (outputs !== o) return; // the host stopped: a restart follows the proposal again
          await o.markDone(entry.key, r.messageId);
          onPublished?.();
          log?.info(
            { key: entry.key, type: entry.type, proposal: entry.proposal, messageId: r.messageId },
            'adapter output published once its owners signed',
          );
        },
        async (error: unknown) => {
          if (outputs !== o) return;
          const code = (error as { code?: unknown }).code;
          const verdict = (error as { details?: { code?: unknown } }).details?.code;
          if (
            code === 'KEY_PROPOSAL_EXPIRED' ||
            code === 'KEY_PROPOSAL_CLOSED' ||
            code === 'GOSSIP_PUBLISH_REFUSED'
          ) {
            const recorded = typeof verdict === 'string' ? verdict : String(code);
            await o.markRefused(entry.key, recorded);
            log?.error(
              { key: entry.key, type: entry.type, proposal: entry.proposal, code: recorded },
              'the proposal of an adapter output was not published (expired unsigned or refused); it is not retried',
            );
          } else {
            log?.warn(
              { key: entry.key, proposal: entry.proposal, err: String(error) },
              'adapter output proposal not settled',
            );
          }
        },
      )
      .catch((error: unknown) =>
        log?.warn({ key: entry.key, err: String(error) }, 'adapter output log not updated'),
      )
      .finally(() => following.delete(entry.key));
  }

  /**
   * Publishes one output exactly once: pending (fsync'd) → node.publish → done. A key still pending
   * (a crash, or a publish that failed after storing) is first looked for among our own messages.
   * A payload the node refuses (GOSSIP_PUBLISH_REFUSED: a verdict on the payload) is recorded
   * refused and not retried. On a multisig member's node the message is held as a proposal first: the
   * host records it (`proposed`) and hands it to `follow`, so the loop keeps polling while the owners
   * sign. Returns whether it published now; `onPublished` is called for one published later.
   */
  const publishOnce = (
    type: string,
    key: string,
    payload: Record<string, unknown>,
    onPublished?: () => void,
  ) =>
    serial(async () => {
      const o = outputs!;
      if (o.has(key) || following.has(key)) return false;
      let entry = o.pendingOf(key);
      if (entry !== undefined) {
        const found = await findPublished(entry);
        if (found !== undefined) {
          await o.markDone(key, found);
          log?.info({ key, messageId: found }, 'pending adapter output was already published');
          return false;
        }
        const signer = params.node.signer;
        if (entry.proposal !== undefined && signer !== undefined && isMultisigSigner(signer)) {
          // Held as a proposal before a restart: follow it, never propose the output twice.
          follow(entry, signer.outcome(entry.proposal), onPublished);
          return false;
        }
      } else {
        entry = { key, type, payload, after: params.node.store.headSeq(params.node.member) ?? 0 };
        await o.markPending(entry);
      }
      let held: ((proposal: Proposal) => void) | undefined;
      const proposed = new Promise<Proposal>((resolve) => {
        held = resolve;
      });
      const publishing = params.node.publish(entry.type, entry.payload, { onProposal: (p) => held?.(p) });
      const first = await Promise.race([
        publishing.then(
          (r) => ({ published: r }),
          (error: unknown) => ({ error }),
        ),
        proposed.then((proposal) => ({ proposal })),
      ]);
      if ('proposal' in first) {
        await o.markProposed(key, first.proposal.id);
        log?.info(
          { key, type: entry.type, proposal: first.proposal.id },
          'adapter output proposed to the owners',
        );
        follow({ ...entry, proposal: first.proposal.id }, publishing, onPublished);
        return false;
      }
      if ('error' in first) {
        const error = first.error;
        const code = (error as { code?: unknown }).code;
        if (code !== 'GOSSIP_PUBLISH_REFUSED') throw error;
        const verdict = (error as { details?: { code?: unknown } }).details?.code;
        await o.markRefused(key, typeof verdict === 'string' ? verdict : code);
        log?.error({ key, code: verdict ?? code }, 'the node refused an adapter output; it is not retried');
        return false;
      }
      await o.markDone(key, first.published.messageId);
      log?.info({ key, type: entry.type, messageId: first.published.messageId }, 'adapter output published');
      return true;
    });

  /** After a crash between publish and record: each pending output is found, or published now. */
  async function recover(o: OutputLog): Promise<void> {
    for (const p of o.pending()) {
      try {
        await publishOnce(p.type, p.key, p.payload);
      } catch (error) {
        // stays pending: retried when its scan is re-run (its cursor was never committed)
        log?.warn({ key: p.key, err: String(error) }, 'pending adapter output not published yet');
      }
    }
  }

  /**
   * adapters.md#retracting-reorged-events: re-reads the evidence of every RecoveryEvent published
   * with evidence on the slot's chain above the reorg's ancestor and retracts, once, each one with
   * a reference that now answers EVIDENCE_REORGED. A reference that cannot be told yet (the RPC is
   * down, or the new chain is not that long yet) fails the scan: its cursor is not committed, so
   * the next poll reports the same reorg and this runs again.
   */
  async function retractReorged(slot: Slot, ancestor: bigint, head: bigint): Promise<void> {
    const o = outputs!;
    const chain = slot.adapter.chain;
    const above = (ref: { chain?: unknown; blockNumber?: unknown }): boolean =>
      ref.chain === chain &&
      Number.isSafeInteger(ref.blockNumber) &&
      BigInt(ref.blockNumber as number) > ancestor;
    let unsettled:
      | { ref: unknown; code: 'ADAPTER_INCONSISTENT_READ' | 'ADAPTER_RPC_UNAVAILABLE' }
      | undefined;
    for (const event of o.publishedEvents()) {
      if (event.key.startsWith('retract:') || !event.evidence.some(above)) continue;
      const key = retractKey(event.messageId);
      if (o.has(key)) continue;
      const stored = await params.node.store.getMessage(event.messageId);
      if (stored === undefined) continue; // published through this node, so held: nothing to void here
      const payload = (
        JSON.parse(new TextDecoder().decode(stored.wire)) as { payload: Record<string, unknown> }
      ).payload;
      if (retractedIdOf(payload) !== undefined) continue; // a retraction is never retracted
      const refs = (payload['evidence'] as { chain?: unknown; blockNumber?: unknown }[]).filter(above);
      const reorged: unknown[] = [];
      for (const ref of refs) {
        if (BigInt(ref.blockNumber as number) > head) {
          unsettled = { ref, code: 'ADAPTER_INCONSISTENT_READ' };
          continue;
        }
        const v = await host.verifyEvidence(ref);
        if (!v.ok && v.code === 'EVIDENCE_REORGED') reorged.push(ref);
        else if (!v.ok && v.code === 'EVIDENCE_RPC_UNAVAILABLE')
          unsettled = { ref, code: 'ADAPTER_RPC_UNAVAILABLE' };
      }
      if (reorged.length === 0) continue;
      const retraction = retractionPayload(payload, event.messageId, reorged, Date.now(), ancestor);
      if (await publishOnce('RecoveryEvent', key, retraction)) {
        slot.retracted++;
        log?.warn(
          { adapter: slot.name, retracts: event.messageId, key: event.key },
          'reorged event retracted',
        );
      }
    }
    if (unsettled !== undefined) {
      const { ref, code } = unsettled;
      throw new AdapterError(
        code,
        'Evidence above a reorg cannot be re-read yet; the reorg is checked again at the next poll',
        { details: { ancestor: ancestor.toString(), head: head.toString(), ref } },
      );
    }
  }

  /**
   * The key an output is published under: its own, unless the event recorded under it was since
   * retracted (its transaction re-mined after a reorg is a new event): then `<key>@<retraction id>`.
   */
  function liveKey(key: string): string {
    let current = key;
    for (;;) {
      const id = outputs!.messageIdOf(current);
      const retraction = id === undefined ? undefined : outputs!.messageIdOf(retractKey(id));
      if (retraction === undefined || retraction.startsWith('refused:')) return current;
      current = `${key}@${retraction}`;
    }
  }

  async function scanOnce(slot: Slot): Promise<boolean> {
    const polledAt = performance.now();
    const result = await slot.adapter.poll();
    slot.lastPollMs = performance.now() - polledAt;
    slot.head = result.head.toString();
    if (result.reorg !== undefined) {
      log?.warn({ adapter: slot.name, ...result.reorg, ancestor: String(result.reorg.ancestor) }, 'reorg');
      await retractReorged(slot, result.reorg.ancestor, result.head);
    }
    for (const output of result.outputs as AdapterOutput[]) {
      const payload = JSON.parse(JSON.stringify(output.payload)) as Record<string, unknown>;
      const counted = () => {
        slot.published++;
      };
      if (await publishOnce(output.type, liveKey(output.key), payload, counted)) counted();
    }
    // every output of the scan is durably stored (store append is fsync'd, key log fsync'd): commit
    await result.commit();
    slot.lastScanAt = Date.now();
    if (result.toBlock >= result.fromBlock) slot.scannedTo = result.toBlock.toString();
    // it scanned new blocks: there may be more below the safe head, so scan again at once
    return result.toBlock >= result.fromBlock;
  }

  async function runLoop(slot: Slot, signal: AbortSignal): Promise<void> {
    slot.status = 'starting';
    while (!signal.aborted) {
      let behind = false;
      try {
        behind = await scanOnce(slot);
        if (slot.status !== 'ok') log?.info({ adapter: slot.name }, 'adapter healthy');
        slot.status = 'ok';
        slot.failures = 0;
        delete slot.code;
        delete slot.detail;
      } catch (error) {
        slot.failures++;
        slot.status = 'degraded';
        slot.code =
          error instanceof AdapterError
            ? error.code
            : ((error as { code?: string }).code ?? 'ADAPTER_RPC_UNAVAILABLE');
        slot.detail = String((error as Error).message ?? error).slice(0, 200);
        log?.warn(
          { adapter: slot.name, code: slot.code, failures: slot.failures },
          'adapter scan failed; backing off',
        );
      }
      const waiters = slot.scanWaiters.splice(0);
      for (const w of waiters) w();
      if (signal.aborted) break;
      if (slot.failures > 0) await sleep(Math.min(maxMs, baseMs * 2 ** (slot.failures - 1)), signal);
      else if (!behind) await sleep(slot.intervalMs, signal);
    }
    slot.status = 'stopped';
    for (const w of slot.scanWaiters.splice(0)) w();
  }

  function route(chain: string, address: string | undefined): Adapter | undefined {
    const onChain = slots.filter((s) => s.adapter.chain === chain);
    if (address !== undefined) {
      const a = address.toLowerCase();
      const hit = onChain.find((s) => s.adapter.exposure().contracts.some((c) => c.toLowerCase() === a));
      if (hit !== undefined) return hit.adapter;
    }
    return onChain[0]?.adapter;
  }

  /**
   * Runs `f` with the adapter watching the ref's chain and emitter (log) or target (call). Never
   * throws: `EVIDENCE_MALFORMED` for a non-ref, `EVIDENCE_WRONG_CHAIN` when no adapter reads that
   * chain, `EVIDENCE_RPC_UNAVAILABLE` when the adapter throws.
   */
  async function withAdapterOf<T extends { ok: boolean }>(
    ref: unknown,
    f: (adapter: Adapter, ref: EvidenceRef) => Promise<T>,
  ): Promise<T | Extract<EvidenceVerification, { ok: false }>> {
    if (typeof ref !== 'object' || ref === null) {
      return { ok: false, code: 'EVIDENCE_MALFORMED', message: 'evidence ref must be an object' };
    }
    const r = ref as Partial<EvidenceRef> & { emitter?: unknown; to?: unknown };
    if (typeof r.chain !== 'string' || (r.type !== 'log' && r.type !== 'call')) {
      return {
        ok: false,
        code: 'EVIDENCE_MALFORMED',
        message: 'evidence ref needs type log|call and chain',
      };
    }
    const address = r.type === 'log' ? r.emitter : r.to;
    if (typeof address !== 'string' || !ADDRESS.test(address)) {
      return {
        ok: false,
        code: 'EVIDENCE_MALFORMED',
        message: `evidence ref has no valid ${r.type === 'log' ? 'emitter' : 'to'}`,
      };
    }
    const adapter = route(r.chain, address);
    if (adapter === undefined) {
      return {
        ok: false,
        code: 'EVIDENCE_WRONG_CHAIN',
        message: `no adapter of this node reads ${r.chain.slice(0, 64)}`,
        details: { chain: r.chain.slice(0, 64) },
      };
    }
    try {
      return await f(adapter, ref as EvidenceRef);
    } catch (error) {
      return {
        ok: false,
        code: 'EVIDENCE_RPC_UNAVAILABLE',
        message: String((error as Error).message ?? error).slice(0, 200),
      };
    }
  }

  const host: AdapterHost = {
    adapters: slots.map((s) => s.adapter),
    async start() {
      if (started) return;
      started = true;
      outputs = await openOutputLog(path.join(dir, OUTPUT_LOG_FILE));
      await recover(outputs);
      controller = new AbortController();
      const signal = controller.signal;
      loops = slots.map((s) => runLoop(s, signal));
      log?.info({ adapters: slots.map((s) => s.name), keys: outputs.size }, 'adapter host started');
    },
    async stop() {
      if (!started) return;
      started = false;
      controller?.abort();
      // A scan stuck in RPC retries is abandoned after the grace period: its cursor was not
      // committed and its outputs are pending or done in the key log, so nothing is lost.
      const grace = new AbortController();
      await Promise.race([Promise.all(loops).then(() => publishChain), sleep(STOP_GRACE_MS, grace.signal)]);
      grace.abort();
      await outputs?.close().catch(() => undefined);
      outputs = undefined;
      log?.info({}, 'adapter host stopped');
    },
    isStarted: () => started,
    status: () =>
      slots.map((s) => ({
        name: s.name,
        package: s.entry.package,
        protocol: s.adapter.protocol,
        chain: s.adapter.chain,
        status: s.status,
        ...(s.code === undefined ? {} : { code: s.code }),
        ...(s.detail === undefined ? {} : { detail: s.detail }),
        consecutiveFailures: s.failures,
        ...(s.lastScanAt === undefined ? {} : { lastScanAt: s.lastScanAt }),
        ...(s.scannedTo === undefined ? {} : { scannedTo: s.scannedTo }),
        ...(s.head === undefined ? {} : { head: s.head }),
        ...(s.lastPollMs === undefined ? {} : { lastPollMs: s.lastPollMs }),
        published: s.published,
        retracted: s.retracted,
      })),
    healthChecks: () =>
      slots.map((s) => ({
        name: `adapter:${s.adapter.protocol}:${s.adapter.chain}`
          .replace(/[^a-zA-Z0-9_./:-]/g, '-')
          .slice(0, 64),
        status: s.status === 'ok' || s.status === 'starting' ? 'ok' : 'degraded',
        ...(s.status === 'degraded'
          ? { detail: `${s.code ?? 'ADAPTER_RPC_UNAVAILABLE'} after ${s.failures} failed scans` }
          : {}),
        ...(s.status === 'stopped' ? { detail: 'not running' } : {}),
      })),
    exposures: () => slots.map((s) => s.adapter.exposure()),
    exposure() {
      const all = slots.map((s) => s.adapter.exposure());
      return {
        protocols: uniqueBy(
          all.map((e) => e.protocol),
          (p) => p,
        ),
        chains: uniqueBy(
          all.map((e) => e.chain),
          (c) => c,
        ),
        contracts: uniqueBy(
          all.flatMap((e) => e.contracts),
          (c) => c.toLowerCase(),
        ),
        assets: uniqueBy(
          all.flatMap((e) => e.assets),
          (a) => `${a.chain}:${a.address.toLowerCase()}`,
        ),
        oracleFeeds: uniqueBy(
          all.flatMap((e) => e.oracleFeeds),
          (f) => `${f.chain}:${f.address.toLowerCase()}`,
        ),
        dependsOn: uniqueBy(
          all.flatMap((e) => e.protocols),
          (p) => p.protocol,
        ),
        subjects: uniqueBy(
          all.flatMap((e) => e.subjects),
          stableJson,
        ),
      };
    },
    verifyEvidence: (ref) => withAdapterOf(ref, (adapter, r) => adapter.verifyEvidence(r)),
    deriveLoss: (ref) =>
      withAdapterOf(ref, async (adapter, r): Promise<LossDerivation> => {
        if (adapter.deriveLoss !== undefined) return adapter.deriveLoss(r);
        const v = await adapter.verifyEvidence(r);
        return v.ok ? { ok: true, losses: [] } : v;
      }),
    settled: () =>
      Promise.all(
        slots.map((s) =>
          s.status === 'stopped' ? Promise.resolve() : new Promise<void>((ok) => s.scanWaiters.push(ok)),
        ),
      ).then(() => undefined),
  };
  return host;
}
