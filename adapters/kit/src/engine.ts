import { isAddress } from '@sfr/schemas';
import {
  type AbiEvent,
  type AbiFunction,
  createPublicClient,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  getAddress,
  http,
  type PublicClient,
  toEventSelector,
  toFunctionSelector,
} from 'viem';
import { formatAbiItem } from 'viem/utils';
import { assertChainConfig, type ChainAdapterConfig, confirmationsFor, toCaip2 } from './config.js';
import { type Cursor, type CursorStore, createMemoryCursorStore } from './cursor.js';
import { AdapterError, isAdapterError } from './errors.js';
import { withRetry } from './retry.js';
import type {
  Adapter,
  AdapterOutput,
  Address,
  Asset,
  CallEvidence,
  EvidenceFacts,
  EvidenceRef,
  EvidenceVerification,
  ExposureProfile,
  Hex,
  LogEvidence,
  LossDerivation,
  PollResult,
  RecoveryEventKind,
  Subject,
  WatchOptions,
} from './types.js';

/** An event the adapter decodes and the contracts allowed to emit it. */
export interface EventSpec {
  abi: AbiEvent;
  emitters: Address[];
}

/** A view the adapter reads for state checks (and accepts as call evidence). */
export interface ViewSpec {
  abi: AbiFunction;
  targets: Address[];
}

/** A log as adapters see it: decoded, with its block time and a ready evidence ref. */
export interface DecodedLog {
  address: Address;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  topics: Hex[];
  data: Hex;
  eventName: string;
  args: Record<string, unknown>;
  /** block timestamp, unix ms */
  timestamp: number;
  ref: LogEvidence;
}

export interface ViewRead<T = unknown> {
  value: T;
  ref: CallEvidence;
}

/** What `map` and `probe` get to build outputs. */
export interface ScanContext {
  chain: string;
  protocol: string;
  /** detection time, unix ms */
  now: number;
  head: bigint;
  /** the block state checks read at (the last scanned, safe block) */
  block: { number: bigint; hash: Hex; timestamp: number };
  /** reads a view at `block` (or at `blockNumber`), returning the decoded value and its call evidence ref */
  readView<T = unknown>(
    abi: AbiFunction,
    to: Address,
    args?: readonly unknown[],
    blockNumber?: bigint,
  ): Promise<ViewRead<T>>;
}

/** A log of the evidence's transaction, decoded by this adapter's events (integers as bigint). */
export interface TxLog {
  address: Address;
  logIndex: number;
  topics: Hex[];
  eventName: string;
  args: Record<string, unknown>;
}

/** What `deriveLoss` reads: the cited log with its transaction's other logs, or the cited call's decoded result. */
export type LossInput =
  | { type: 'log'; log: TxLog; txLogs: TxLog[] }
  | { type: 'call'; name: string; result: unknown };

/** An adapter's answer for one piece of evidence: the kind it proves and the loss it records, if any. */
export interface LossRule {
  kind: RecoveryEventKind;
  amount?: { asset: Asset; value: bigint } | { usd: { value: bigint; decimals: number } };
  /** the event and field (or view) the amount is read from, e.g. `DeficitCreated.amountCreated` */
  derivation: string;
}

export interface AdapterDefinition<S extends Record<string, unknown> = Record<string, unknown>> {
  protocol: string;
  events: EventSpec[];
  views?: ViewSpec[];
  /** extra eth_getLogs topic filters after topic0 (e.g. GMX event-name hashes in topic1) */
  topicFilter?: Hex[][];
  /**
   * turns the decoded logs of one scan (ordered by block, log index) into outputs; `state` is the
   * adapter's persisted state (from the cursor), which map may update in place for edge triggers
   */
  map?(logs: DecodedLog[], ctx: ScanContext, state: Partial<S>): AdapterOutput[] | Promise<AdapterOutput[]>;
  /** reads state at the scanned block; `state` is what the previous probe returned (persisted in the cursor) */
  probe?(ctx: ScanContext, state: Partial<S>): Promise<{ outputs: AdapterOutput[]; state: S }>;
  exposure(): Omit<ExposureProfile, 'subjects' | 'protocol' | 'chain'>;
  /**
   * What a verified piece of evidence proves (spec/v1/adapters.md#loss-derivation); empty when this
   * adapter maps it to no RecoveryEvent kind.
   */
  deriveLoss?(input: LossInput): LossRule[];
}

/** JSON-safe copy of decoded ABI values: bigint → decimal string, recursively. */
export function toJsonValues(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValues);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValues(v)]));
  }
  return value;
}

/** Stable identity of an output derived from one log. */
export function logKey(protocol: string, ref: LogEvidence): string {
  return `${protocol}:${ref.chain}:${ref.txHash}:${ref.logIndex}`;
}

/** Lists an exposure's facts as ContagionAlert subjects. */
export function toSubjects(profile: Omit<ExposureProfile, 'subjects'>): Subject[] {
  const subjects: Subject[] = [{ kind: 'protocol', protocol: profile.protocol }];
  for (const address of profile.contracts) subjects.push({ kind: 'contract', chain: profile.chain, address });
  for (const asset of profile.assets) {
    // `address` is an Address or `native` (common.schema.json Asset); a native coin has no contract subject.
    if (isAddress(asset.address)) {
      subjects.push({ kind: 'asset', chain: asset.chain, address: asset.address, name: asset.symbol });
    }
  }
  for (const feed of profile.oracleFeeds) {
    subjects.push({
      kind: 'oracle_feed',
      chain: feed.chain,
      address: feed.address,
      ...(feed.description === undefined ? {} : { name: feed.description }),
    });
  }
  for (const p of profile.protocols) subjects.push({ kind: 'protocol', protocol: p.protocol });
  subjects.push({ kind: 'chain', chain: profile.chain });
  return subjects;
}

const lower = (a: string) => a.toLowerCase();

/** Providers refuse wide eth_getLogs ranges with -32005 / -32602 and texts like these (Alchemy, Infura, QuickNode, geth). */
const rangeErrorText =
  /block range|range (is )?too (large|wide)|more than \d+ (results|blocks)|too many (results|blocks|logs)|response size|query exceeds/i;

/** True when an RPC error says the eth_getLogs range was too wide (so it must be narrowed, not retried). */
export function isLogRangeError(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${error.message} ${String((error as { details?: unknown }).details ?? '')}`
      : '';
  return rangeErrorText.test(text);
}

/** A cursor keeps this many recent scan ends for finding a reorg's common ancestor. */
const recentWindow = 64;

/**
 * Builds an Adapter from a protocol definition and the shared chain settings: the log-scanning
 * engine (confirmations, reorg detection by block hash, retries, persisted cursor) and evidence
 * verification (spec/v1/adapters.md).
 */
export function createChainAdapter<S extends Record<string, unknown>>(
  definition: AdapterDefinition<S>,
  config: ChainAdapterConfig,
): Adapter {
  assertChainConfig(config);
  const chain = toCaip2(config.chainId);
  const protocol = definition.protocol;
  const confirmations = confirmationsFor(config.chainId, config.confirmations);
  const maxRange = BigInt(config.maxBlocksPerPoll ?? 2_000);
  const store: CursorStore = config.cursorStore ?? createMemoryCursorStore();
  const clock = config.now ?? Date.now;
  const retry = config.retry ?? {};
  const client: PublicClient = createPublicClient({
    transport: http(config.rpcUrl, { retryCount: 0, timeout: config.requestTimeoutMs ?? 10_000 }),
  });

  // topic0 → the event specs with that selector (GMX shares one selector across many names).
  const byTopic = new Map<string, { abi: AbiEvent; emitters: Set<string>; signature: string }[]>();
  const emitters = new Set<string>();
  for (const spec of definition.events) {
    const topic0 = toEventSelector(spec.abi);
    const list = byTopic.get(topic0) ?? [];
    list.push({
      abi: spec.abi,
      emitters: new Set(spec.emitters.map(lower)),
      signature: formatAbiItem(spec.abi),
    });
    byTopic.set(topic0, list);
    for (const e of spec.emitters) emitters.add(lower(e));
  }
  const views = new Map<string, { abi: AbiFunction; targets: Set<string> }>();
  for (const view of definition.views ?? []) {
    views.set(toFunctionSelector(view.abi), { abi: view.abi, targets: new Set(view.targets.map(lower)) });
  }

  let cursorCache: Cursor | undefined;
  /** current eth_getLogs width: halved whenever the provider refuses a range, never below 1 */
  let range = maxRange;

  const rpc = <T>(fn: () => Promise<T>) => withRetry(fn, retry);

  async function loadCursor(head: bigint): Promise<Cursor> {
    if (cursorCache !== undefined) return cursorCache;
    const stored = await store.load();
    if (stored !== undefined) {
      if (stored.protocol !== protocol || stored.chain !== chain) {
        throw new AdapterError('ADAPTER_CURSOR_MISMATCH', 'Persisted cursor belongs to another adapter', {
          details: {
            expected: { protocol, chain },
            found: { protocol: stored.protocol, chain: stored.chain },
          },
        });
      }
      cursorCache = stored;
      return stored;
    }
    const safe = head - BigInt(confirmations) + 1n;
    const start = config.startBlock !== undefined ? BigInt(config.startBlock) : safe < 0n ? 0n : safe;
    cursorCache = { version: 1, protocol, chain, nextBlock: start.toString(), recent: [], state: {} };
    return cursorCache;
  }

  async function getBlock(number: bigint) {
    return rpc(() => client.getBlock({ blockNumber: number }));
  }

  /** Walks back the recent scan ends until one is still canonical; returns its index or -1. */
  async function findAncestor(recent: Cursor['recent']): Promise<number> {
    for (let i = recent.length - 1; i >= 0; i--) {
      const entry = recent[i]!;
      const block = await rpc(() => client.getBlock({ blockNumber: BigInt(entry.number) })).catch((e) => {
        if (isAdapterError(e)) throw e;
        return undefined;
      });
      if (block !== undefined && block.hash === entry.hash) return i;
    }
    return -1;
  }

  function makeContext(head: bigint, block: ScanContext['block'], now: number): ScanContext {
    return {
      chain,
      protocol,
      now,
      head,
      block,
      async readView<T>(abi: AbiFunction, to: Address, args: readonly unknown[] = [], blockNumber?: bigint) {
        const at =
          blockNumber === undefined || blockNumber === block.number
            ? { number: block.number, hash: block.hash }
            : await getBlock(blockNumber).then((b) => ({ number: blockNumber, hash: b.hash }));
        const data = encodeFunctionData({ abi: [abi], functionName: abi.name, args } as never);
        const res = await rpc(() => client.call({ to, data, blockNumber: at.number }));
        const result = (res.data ?? '0x') as Hex;
        const value = decodeFunctionResult({
          abi: [abi],
          functionName: abi.name,
          data: result,
        } as never) as T;
        const ref: CallEvidence = {
          type: 'call',
          chain,
          blockNumber: Number(at.number),
          blockHash: at.hash,
          to,
          data,
          result,
          signature: formatAbiItem(abi),
        };
        return { value, ref };
      },
    };
  }

  function decode(log: { address: string; topics: readonly Hex[]; data: Hex }) {
    const topic0 = log.topics[0];
    if (topic0 === undefined) return undefined;
    for (const spec of byTopic.get(topic0) ?? []) {
      if (!spec.emitters.has(lower(log.address))) continue;
      try {
        const decoded = decodeEventLog({
          abi: [spec.abi],
          topics: log.topics as [Hex, ...Hex[]],
          data: log.data,
          strict: true,
        });
        return {
          eventName: decoded.eventName as string,
          args: (decoded.args ?? {}) as Record<string, unknown>,
          spec,
        };
      } catch {
        // try the next spec with the same selector
      }
    }
    return undefined;
  }

  async function poll(): Promise<PollResult> {
    const head = await rpc(() => client.getBlockNumber({ cacheTime: 0 }));
    const cursor = structuredClone(await loadCursor(head));
    let reorg: PollResult['reorg'];
    const last = cursor.recent.at(-1);
    if (last !== undefined) {
      const lastBlock = await getBlock(BigInt(last.number)).catch((e) => {
        if (isAdapterError(e)) throw e;
        return undefined;
      });
      if (lastBlock === undefined || lastBlock.hash !== last.hash) {
        const index = await findAncestor(cursor.recent.slice(0, -1));
        if (index < 0) {
          throw new AdapterError('ADAPTER_REORG_TOO_DEEP', 'Reorg deeper than the cursor window', {
            details: { lastScanned: last.number, window: cursor.recent.length },
          });
        }
        const ancestor = BigInt(cursor.recent[index]!.number);
        reorg = { ancestor, depth: Number(BigInt(last.number) - ancestor) };
        cursor.recent = cursor.recent.slice(0, index + 1);
        cursor.nextBlock = (ancestor + 1n).toString();
      }
    }
    const fromBlock = BigInt(cursor.nextBlock);
    const safeHead = head - BigInt(confirmations) + 1n;
    let toBlock = safeHead < fromBlock + range - 1n ? safeHead : fromBlock + range - 1n;
    const outputs: AdapterOutput[] = [];
    const now = clock();
    if (toBlock < fromBlock) {
      toBlock = fromBlock - 1n;
      const next = structuredClone(cursor);
      return {
        outputs,
        fromBlock,
        toBlock,
        head,
        ...(reorg === undefined ? {} : { reorg }),
        commit: async () => commit(next),
      };
    }

    // A range the provider refuses as too wide is a value (`tooWide`), not an error: withRetry sees a
    // success and does not retry it, and the loop halves the range instead.
    const fetchLogs = (to: bigint) =>
      rpc(() =>
        client
          .request({
            method: 'eth_getLogs',
            params: [
              {
                address: [...emitters] as Address[],
                fromBlock: `0x${fromBlock.toString(16)}`,
                toBlock: `0x${to.toString(16)}`,
                topics: [[...byTopic.keys()] as Hex[], ...(definition.topicFilter ?? [])],
              },
            ],
          })
          .then(
            (logs): { logs: typeof logs; tooWide?: undefined } => ({ logs }),
            (error: unknown) => {
              if (isLogRangeError(error)) return { logs: undefined, tooWide: error };
              throw error;
            },
          ),
      );
    let rawLogs: NonNullable<Awaited<ReturnType<typeof fetchLogs>>['logs']> = [];
    while (emitters.size > 0) {
      const fetched = await fetchLogs(toBlock);
      if (fetched.logs !== undefined) {
        rawLogs = fetched.logs;
        break;
      }
      if (toBlock === fromBlock) throw fetched.tooWide;
      range = (toBlock - fromBlock + 1n) / 2n;
      toBlock = fromBlock + range - 1n;
    }
    const endBlock = await getBlock(toBlock);
    const blocks = new Map<bigint, { hash: Hex; timestamp: number }>();
    blocks.set(toBlock, { hash: endBlock.hash, timestamp: Number(endBlock.timestamp) * 1000 });
    const logs: DecodedLog[] = [];
    const sorted = [...rawLogs]
      .filter((l) => l.removed !== true)
      .sort((a, b) => {
        const d = BigInt(a.blockNumber ?? '0x0') - BigInt(b.blockNumber ?? '0x0');
        return d !== 0n
          ? d < 0n
            ? -1
            : 1
          : Number(BigInt(a.logIndex ?? '0x0') - BigInt(b.logIndex ?? '0x0'));
      });
    for (const raw of sorted) {
      const blockNumber = BigInt(raw.blockNumber ?? '0x0');
      let block = blocks.get(blockNumber);
      if (block === undefined) {
        const b = await getBlock(blockNumber);
        block = { hash: b.hash, timestamp: Number(b.timestamp) * 1000 };
        blocks.set(blockNumber, block);
      }
      if (block.hash !== raw.blockHash) {
        throw new AdapterError('ADAPTER_INCONSISTENT_READ', 'Chain changed during a scan; poll again', {
          details: { blockNumber: blockNumber.toString() },
        });
      }
      const decoded = decode({ address: raw.address, topics: raw.topics as Hex[], data: raw.data as Hex });
      if (decoded === undefined) continue;
      const ref: LogEvidence = {
        type: 'log',
        chain,
        blockNumber: Number(blockNumber),
        blockHash: raw.blockHash as Hex,
        txHash: raw.transactionHash as Hex,
        logIndex: Number(BigInt(raw.logIndex ?? '0x0')),
        emitter: getAddress(raw.address),
        topic0: raw.topics[0] as Hex,
        eventSignature: decoded.spec.signature,
        confirmations: Number(head - blockNumber + 1n),
      };
      logs.push({
        address: getAddress(raw.address),
        blockNumber,
        blockHash: ref.blockHash,
        txHash: ref.txHash,
        logIndex: ref.logIndex,
        topics: raw.topics as Hex[],
        data: raw.data as Hex,
        eventName: decoded.eventName,
        args: decoded.args,
        timestamp: block.timestamp,
        ref,
      });
    }
    const end = blocks.get(toBlock)!;
    const ctx = makeContext(head, { number: toBlock, hash: end.hash, timestamp: end.timestamp }, now);
    const next = structuredClone(cursor);
    const state = next.state as Partial<S>;
    if (definition.map !== undefined && logs.length > 0)
      outputs.push(...(await definition.map(logs, ctx, state)));
    next.state = state;
    if (definition.probe !== undefined) {
      const probed = await definition.probe(ctx, state);
      outputs.push(...probed.outputs);
      next.state = probed.state;
    }
    next.nextBlock = (toBlock + 1n).toString();
    next.recent = [...cursor.recent, { number: toBlock.toString(), hash: end.hash }].slice(-recentWindow);
    return {
      outputs,
      fromBlock,
      toBlock,
      head,
      ...(reorg === undefined ? {} : { reorg }),
      commit: async () => commit(next),
    };
  }

  async function commit(next: Cursor): Promise<void> {
    await store.save(next);
    cursorCache = next;
  }

  async function* watch(options: WatchOptions = {}): AsyncGenerator<AdapterOutput> {
    if (options.fromBlock !== undefined && cursorCache === undefined && (await store.load()) === undefined) {
      cursorCache = {
        version: 1,
        protocol,
        chain,
        nextBlock: options.fromBlock.toString(),
        recent: [],
        state: {},
      };
    }
    const interval = options.intervalMs ?? config.pollIntervalMs ?? 4_000;
    while (options.signal?.aborted !== true) {
      const result = await poll();
      for (const output of result.outputs) yield output;
      await result.commit();
      if (result.toBlock >= result.fromBlock && result.toBlock < result.head - BigInt(confirmations) + 1n)
        continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, interval);
        function done() {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
        options.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  function refuse(
    code: Extract<EvidenceVerification, { ok: false }>['code'],
    message: string,
    details?: Record<string, unknown>,
  ): EvidenceVerification {
    return details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };
  }

  async function verifyEvidence(ref: EvidenceRef): Promise<EvidenceVerification> {
    try {
      return await verifyUnsafe(ref);
    } catch (error) {
      if (isAdapterError(error) && error.code === 'ADAPTER_RPC_UNAVAILABLE') {
        return refuse('EVIDENCE_RPC_UNAVAILABLE', 'The RPC did not answer after retries');
      }
      throw error;
    }
  }

  async function verifyUnsafe(ref: EvidenceRef): Promise<EvidenceVerification> {
    const problem = describeRefProblem(ref);
    if (problem !== undefined) return refuse('EVIDENCE_MALFORMED', `Malformed evidence ref: ${problem}`);
    if (ref.chain !== chain) {
      return refuse('EVIDENCE_WRONG_CHAIN', 'Evidence is on another chain', {
        expected: chain,
        found: ref.chain,
      });
    }
    const head = await rpc(() => client.getBlockNumber({ cacheTime: 0 }));
    if (BigInt(ref.blockNumber) > head) {
      return refuse('EVIDENCE_NOT_FOUND', 'Cited block is beyond the head', { head: head.toString() });
    }
    const block = await getBlock(BigInt(ref.blockNumber));
    if (block.hash !== ref.blockHash.toLowerCase()) {
      return refuse('EVIDENCE_REORGED', 'Cited block is not on the canonical chain', {
        canonicalHash: block.hash,
      });
    }
    const seen = Number(head - BigInt(ref.blockNumber) + 1n);
    const base = {
      chain,
      blockNumber: ref.blockNumber,
      blockHash: block.hash,
      blockTimestamp: Number(block.timestamp) * 1000,
      confirmations: seen,
    };
    if (ref.type === 'log') {
      const receipt = await rpc(() => client.getTransactionReceipt({ hash: ref.txHash })).catch((e) => {
        if (isAdapterError(e)) throw e;
        return undefined;
      });
      if (receipt === undefined || receipt.blockHash !== block.hash) {
        return refuse('EVIDENCE_NOT_FOUND', 'No such transaction in the cited block');
      }
      const log = receipt.logs.find((l) => l.logIndex === ref.logIndex);
      if (log === undefined) return refuse('EVIDENCE_NOT_FOUND', 'No log at the cited index');
      if (lower(log.address) !== lower(ref.emitter) || !emitters.has(lower(log.address))) {
        return refuse('EVIDENCE_WRONG_EMITTER', 'Log was not emitted by a contract this adapter watches', {
          emitter: log.address,
        });
      }
      const topic0 = log.topics[0];
      if (topic0 === undefined || topic0 !== ref.topic0.toLowerCase() || !byTopic.has(topic0)) {
        return refuse('EVIDENCE_WRONG_TOPIC', 'Log is not an event this adapter recognises', { topic0 });
      }
      if (seen < confirmations) {
        return refuse('EVIDENCE_INSUFFICIENT_CONFIRMATIONS', 'Not enough confirmations yet', {
          confirmations: seen,
          required: confirmations,
        });
      }
      const decoded = decode({ address: log.address, topics: log.topics as Hex[], data: log.data });
      if (decoded === undefined)
        return refuse('EVIDENCE_UNDECODABLE', 'Log does not decode as the cited event');
      const facts: EvidenceFacts = {
        type: 'log',
        ...base,
        contract: log.address,
        name: decoded.eventName,
        values: toJsonValues(decoded.args) as Record<string, unknown>,
        txHash: ref.txHash,
        logIndex: ref.logIndex,
      };
      return { ok: true, facts };
    }
    const target = lower(ref.to);
    const view = views.get(ref.data.slice(0, 10).toLowerCase());
    const targetKnown = [...views.values()].some((v) => v.targets.has(target));
    if (!targetKnown) {
      return refuse('EVIDENCE_WRONG_EMITTER', 'Call target is not a contract this adapter reads', {
        to: ref.to,
      });
    }
    if (view === undefined || !view.targets.has(target)) {
      return refuse('EVIDENCE_UNKNOWN_CALL', 'Calldata is not a view this adapter reads');
    }
    if (seen < confirmations) {
      return refuse('EVIDENCE_INSUFFICIENT_CONFIRMATIONS', 'Not enough confirmations yet', {
        confirmations: seen,
        required: confirmations,
      });
    }
    const res = await rpc(() =>
      client.call({ to: ref.to, data: ref.data, blockNumber: BigInt(ref.blockNumber) }),
    );
    const result = (res.data ?? '0x').toLowerCase();
    if (result !== ref.result.toLowerCase()) {
      return refuse('EVIDENCE_RESULT_MISMATCH', 'The call returns something else at the cited block', {
        result,
      });
    }
    let values: unknown;
    try {
      values = decodeFunctionResult({
        abi: [view.abi],
        functionName: view.abi.name,
        data: result as Hex,
      } as never);
    } catch {
      return refuse('EVIDENCE_UNDECODABLE', 'Call result does not decode');
    }
    const facts: EvidenceFacts = {
      type: 'call',
      ...base,
      contract: ref.to,
      name: view.abi.name,
      values: { result: toJsonValues(values) },
    };
    return { ok: true, facts };
  }

  async function deriveLoss(ref: EvidenceRef): Promise<LossDerivation> {
    const verified = await verifyEvidence(ref);
    if (!verified.ok) return verified;
    const rule = definition.deriveLoss;
    if (rule === undefined) return { ok: true, losses: [] };
    let input: LossInput;
    if (ref.type === 'log') {
      const receipt = await rpc(() => client.getTransactionReceipt({ hash: ref.txHash }));
      const txLogs: TxLog[] = [];
      for (const l of receipt.logs) {
        const decoded = decode({ address: l.address, topics: l.topics as Hex[], data: l.data });
        if (decoded === undefined) continue;
        txLogs.push({
          address: getAddress(l.address),
          logIndex: l.logIndex,
          topics: l.topics as Hex[],
          eventName: decoded.eventName,
          args: decoded.args,
        });
      }
      const log = txLogs.find((l) => l.logIndex === ref.logIndex);
      if (log === undefined)
        return { ok: false, code: 'EVIDENCE_UNDECODABLE', message: 'Cited log not decodable' };
      input = { type: 'log', log, txLogs };
    } else {
      const view = views.get(ref.data.slice(0, 10).toLowerCase())!;
      const result = decodeFunctionResult({
        abi: [view.abi],
        functionName: view.abi.name,
        data: ref.result,
      } as never);
      input = { type: 'call', name: view.abi.name, result };
    }
    const found = rule(input);
    const losses = found.map((f) => ({
      kind: f.kind,
      amount:
        f.amount === undefined
          ? null
          : 'usd' in f.amount
            ? { usd: { value: f.amount.usd.value.toString(), decimals: f.amount.usd.decimals } }
            : { asset: f.amount.asset, value: f.amount.value.toString() },
      derivation: `${protocol} ${f.derivation}`,
    }));
    return { ok: true, losses };
  }

  async function deriveLossSafe(ref: EvidenceRef): Promise<LossDerivation> {
    try {
      return await deriveLoss(ref);
    } catch (error) {
      if (isAdapterError(error) && error.code === 'ADAPTER_RPC_UNAVAILABLE')
        return {
          ok: false,
          code: 'EVIDENCE_RPC_UNAVAILABLE',
          message: 'The RPC did not answer after retries',
        };
      throw error;
    }
  }

  function exposure(): ExposureProfile {
    const partial = { protocol, chain, ...definition.exposure() };
    return { ...partial, subjects: toSubjects(partial) };
  }

  return { protocol, chain, poll, watch, verifyEvidence, deriveLoss: deriveLossSafe, exposure };
}

const bytes32 = /^0x[0-9a-fA-F]{64}$/;
const address = /^0x[0-9a-fA-F]{40}$/;
const hex = /^0x([0-9a-fA-F]{2})*$/;

/** Shape check of an evidence ref (the schema's rules that matter for re-reading it). */
function describeRefProblem(ref: unknown): string | undefined {
  if (typeof ref !== 'object' || ref === null) return 'not an object';
  const r = ref as Record<string, unknown>;
  if (typeof r['chain'] !== 'string') return 'chain';
  if (!Number.isSafeInteger(r['blockNumber']) || (r['blockNumber'] as number) < 0) return 'blockNumber';
  if (typeof r['blockHash'] !== 'string' || !bytes32.test(r['blockHash'])) return 'blockHash';
  if (r['type'] === 'log') {
    if (typeof r['txHash'] !== 'string' || !bytes32.test(r['txHash'])) return 'txHash';
    if (!Number.isSafeInteger(r['logIndex']) || (r['logIndex'] as number) < 0) return 'logIndex';
    if (typeof r['emitter'] !== 'string' || !address.test(r['emitter'])) return 'emitter';
    if (typeof r['topic0'] !== 'string' || !bytes32.test(r['topic0'])) return 'topic0';
    return undefined;
  }
  if (r['type'] === 'call') {
    if (typeof r['to'] !== 'string' || !address.test(r['to'])) return 'to';
    if (typeof r['data'] !== 'string' || !hex.test(r['data']) || r['data'].length < 10) return 'data';
    if (typeof r['result'] !== 'string' || !hex.test(r['result'])) return 'result';
    return undefined;
  }
  return 'type';
}
