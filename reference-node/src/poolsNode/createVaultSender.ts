/**
 * `createVaultSender(params)`: the node's one sending account on one settlement chain
 * (spec/v1/settlement.md#sending). It owns the account's nonces, simulates every call before it
 * signs, writes the signed transaction to a journal in the data directory before broadcasting it,
 * re-sends a transaction not mined in time with the same nonce and a higher fee, and reports a
 * transaction reverted once mined as `VAULT_TX_REVERTED` with its hash. A restarted node resumes
 * the journal's pending transactions, except one whose effect another account already brought about
 * (it would only revert: marked `superseded`, not sent); a request under a key already mined returns
 * its receipt and sends nothing, so nothing is lost or sent twice.
 *
 *   const sender = createVaultSender({ chain: 'eip155:1', rpcUrl, account, member, file });
 *   await sender.start();
 *   const receipt = await sender.send({ key: `openClaim:${claimId}`, to: vault, functionName: 'openClaim', args, asMember: true });
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Abi,
  type Address,
  BaseError,
  type Client,
  createClient,
  encodeFunctionData,
  getAddress,
  type Hex,
  HttpRequestError,
  http,
  keccak256,
  type LocalAccount,
  parseTransaction,
  TimeoutError,
  type TransactionReceipt,
} from 'viem';
import {
  call,
  estimateFeesPerGas,
  estimateGas,
  getTransaction,
  getTransactionCount,
  getTransactionReceipt,
  sendRawTransaction,
  simulateContract,
} from 'viem/actions';
import { writeSecretAtomically } from '../keys/privateFile.js';
import type { Logger } from '../logging/index.js';
import { eip155ChainId } from '../pools/amounts.js';
import { sfrVault, toVaultError, VaultError } from '../settlement/index.js';

/** [sfr] A transaction not mined within 60 s (5 blocks of 12 s) is re-sent with a higher fee. */
export const DEFAULT_RESEND_AFTER_MS = 60_000;
/** [sfr] How often a pending transaction's receipt is looked for (a block is ≥ 1 s on the chains SFR targets). */
export const DEFAULT_RECEIPT_POLL_MS = 1_000;
/** [geth, anvil] A replacement must raise both fees by at least 10 %; +25 % clears it with room. */
const FEE_BUMP_PERCENT = 125n;
/** [sfr] Gas estimate headroom: the state can move between estimate and inclusion. */
const GAS_HEADROOM_PERCENT = 120n;
/** [sfr] Finished transactions kept in the journal, so a repeated request finds its receipt. */
const KEPT_FINISHED = 512;

/** One vault (or ERC-20) call to send; `key` names it for good: one transaction per key. */
export type VaultSendRequest = {
  /** Idempotency key, e.g. `settle:<poolId>:<claimId>:<round>`: a key already mined sends nothing. */
  readonly key: string;
  readonly to: Address;
  /** Default: the vault's ABI. */
  readonly abi?: Abi;
  readonly functionName: string;
  readonly args: readonly unknown[];
  /** The call must come from the member itself (`openClaim`, `withdraw`): refused when the sender is another account. */
  readonly asMember?: boolean;
  /**
   * The block the call is simulated and estimated against: `latest` (default), or `pending` for a
   * call that depends on the next block's time (`openClaim` at a `filedAt` of now).
   */
  readonly simulateAt?: 'latest' | 'pending';
};

/** A transaction in the journal (settlement.md#sending). */
export type VaultTransaction = {
  key: string;
  functionName: string;
  to: Address;
  nonce: number;
  /**
   * `superseded`: found at a restart never mined nor known to the chain's node, and its simulation
   * reverts (its effect already happened, e.g. another member's node settled the claim): not sent,
   * its nonce free again.
   */
  state: 'pending' | 'mined' | 'reverted' | 'replaced' | 'superseded';
  /** Every signed version, oldest first (the same nonce, rising fees). */
  attempts: { hash: Hex; raw: Hex; maxFeePerGas: string; maxPriorityFeePerGas: string; sentAt: number }[];
  /** The attempt that was mined. */
  hash?: Hex;
  blockNumber?: string;
};

type Journal = { version: 1; account: Address; chain: string; transactions: VaultTransaction[] };

export interface VaultSender {
  readonly chain: string;
  /** The member the node acts for. */
  readonly member: Address;
  /** The account that pays; null when the node has none (a contract member without `identity.sender`). */
  readonly address: Address | null;
  /**
   * Sends `req` once: simulates (a refusal is its `VaultError`, nothing sent or recorded), signs
   * with the next nonce, journals, broadcasts, re-sends with a higher fee until mined; resolves
   * with the receipt, rejects `VAULT_TX_REVERTED` (hash in `args`), `VAULT_TX_REPLACED`,
   * `VAULT_NO_SENDER`, `VAULT_SENDER_NOT_MEMBER` or `VAULT_RPC_UNAVAILABLE`. A key already mined
   * resolves with its receipt; a key pending (also from before a restart) joins it.
   */
  send(req: VaultSendRequest): Promise<TransactionReceipt>;
  /** The journal's transactions, newest last. */
  transactions(): readonly VaultTransaction[];
  /** Loads the journal and resumes its pending transactions. */
  start(): Promise<void>;
  /** Stops re-sending; pending transactions stay journaled for the next start. */
  stop(): Promise<void>;
}

export type CreateVaultSenderParameters = {
  /** The settlement chain, `eip155:<id>`. */
  readonly chain: string;
  readonly rpcUrl: string;
  /** The paying account; null: the node cannot send (`VAULT_NO_SENDER`). */
  readonly account: LocalAccount | null;
  readonly member: Address;
  /** The journal file (in the node's data directory). */
  readonly file: string;
  readonly resendAfterMs?: number;
  readonly pollMs?: number;
  readonly logger?: Logger;
};

const isRpcFailure = (error: unknown): boolean =>
  error instanceof BaseError &&
  error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) !== null;

function rpcUnavailable(error: unknown, action: string): VaultError {
  return new VaultError('VAULT_RPC_UNAVAILABLE', `The settlement chain's RPC did not answer ${action}.`, {
    section: 'client',
    cause: error,
  });
}

export function createVaultSender(p: CreateVaultSenderParameters): VaultSender {
  const chainId = eip155ChainId(p.chain);
  if (chainId === null)
    throw new VaultError('VAULT_INPUT_INVALID', `"chain" must be eip155:<id>, not ${p.chain}.`, {
      args: ['chain'],
      section: 'sending',
    });
  const account = p.account;
  const member = getAddress(p.member);
  const log = p.logger?.child({ component: 'vault-sender', chain: p.chain });
  const resendAfterMs = p.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS;
  const pollMs = p.pollMs ?? DEFAULT_RECEIPT_POLL_MS;
  const client: Client = createClient({ transport: http(p.rpcUrl, { retryCount: 2, timeout: 10_000 }) });
  let journal: Journal = {
    version: 1,
    account: account?.address ?? member,
    chain: p.chain,
    transactions: [],
  };
  const driving = new Map<string, Promise<TransactionReceipt>>();
  let writes: Promise<void> = Promise.resolve();
  let nonceLock: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const stopWaiters = new Set<() => void>();

  /** Writes the journal atomically, one write at a time (a crash leaves the old or the new one). */
  const persist = (): Promise<void> => {
    const body = `${JSON.stringify(journal, null, 1)}\n`;
    // The first send can come before anything else wrote the data directory's settlement folder.
    writes = writes.then(async () => {
      await mkdir(path.dirname(p.file), { recursive: true });
      await writeSecretAtomically(p.file, body);
    });
    return writes;
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        stopWaiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      stopWaiters.add(done);
    });

  async function sign(
    tx: VaultTransaction,
    data: Hex,
    gas: bigint,
    maxFeePerGas: bigint,
    maxPriorityFeePerGas: bigint,
  ) {
    const raw = await account!.signTransaction({
      chainId: chainId!,
      type: 'eip1559',
      nonce: tx.nonce,
      to: tx.to,
      data,
      gas,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    tx.attempts.push({
      hash: keccak256(raw),
      raw,
      maxFeePerGas: maxFeePerGas.toString(),
      maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
      sentAt: Date.now(),
    });
  }

  /** Broadcasts the newest attempt; a node that already has it, or has mined its nonce, is not an error here. */
  async function broadcast(tx: VaultTransaction): Promise<void> {
    const last = tx.attempts.at(-1)!;
    try {
      await sendRawTransaction(client, { serializedTransaction: last.raw });
    } catch (error) {
      // "already known", "nonce too low", "replacement underpriced", an RPC down: the receipt loop decides.
      // Anything else (no ETH for gas) is the operator's to fix, and would otherwise only show as a wait.
      const message = (error as Error).message;
      log?.[/already known|nonce too low|underpriced/i.test(message) ? 'debug' : 'warn'](
        {
          key: tx.key,
          hash: last.hash,
          err: {
            message: message.split('\n').find((l) => l.startsWith('Details:')) ?? message.split('\n')[0],
          },
        },
        'broadcast not taken',
      );
    }
  }

  async function receiptOf(tx: VaultTransaction): Promise<TransactionReceipt | null> {
    for (const a of [...tx.attempts].reverse()) {
      try {
        return await getTransactionReceipt(client, { hash: a.hash });
      } catch {
        // not mined (or the RPC did not answer): look at the next attempt
      }
    }
    return null;
  }

  function finish(tx: VaultTransaction, receipt: TransactionReceipt): TransactionReceipt {
    tx.hash = receipt.transactionHash;
    tx.blockNumber = receipt.blockNumber.toString();
    tx.state = receipt.status === 'success' ? 'mined' : 'reverted';
    const finished = journal.transactions.filter((t) => t.state !== 'pending');
    if (finished.length > KEPT_FINISHED) {
      const drop = new Set(finished.slice(0, finished.length - KEPT_FINISHED));
      journal.transactions = journal.transactions.filter((t) => !drop.has(t));
    }
    return receipt;
  }

  /**
   * At a restart, before a pending transaction is broadcast again (settlement.md#sending rule 5):
   * true when it is not mined, the chain's node does not know it (so it cannot be mined without
   * us), no later journaled transaction waits on its nonce, and its call reverts against the pending
   * block. Any doubt (an RPC that does not answer) sends it as before: the receipt loop decides.
   */
  async function supersededAtStart(tx: VaultTransaction): Promise<boolean> {
    if (journal.transactions.some((t) => t.state === 'pending' && t.nonce > tx.nonce)) return false;
    if ((await receiptOf(tx)) !== null) return false;
    for (const a of tx.attempts) {
      const known = await getTransaction(client, { hash: a.hash }).then(
        () => true,
        (error: unknown) => (isRpcFailure(error) ? null : false),
      );
      if (known !== false) return false;
    }
    const signed = parseTransaction(tx.attempts.at(-1)!.raw);
    try {
      await call(client, {
        account: account!.address,
        to: tx.to,
        data: signed.data ?? '0x',
        blockTag: 'pending',
      });
      return false;
    } catch (error) {
      return !isRpcFailure(error);
    }
  }

  function revertedError(tx: VaultTransaction): VaultError {
    return new VaultError('VAULT_TX_REVERTED', `${tx.functionName} reverted once mined (${tx.hash}).`, {
      args: [tx.hash],
      section: 'client',
    });
  }

  /** Waits for one of the transaction's attempts to be mined, re-sending with a higher fee when none is in time. */
  async function drive(tx: VaultTransaction): Promise<TransactionReceipt> {
    for (;;) {
      const receipt = await receiptOf(tx);
      if (receipt !== null) {
        finish(tx, receipt);
        await persist();
        log?.info(
          { key: tx.key, hash: tx.hash, nonce: tx.nonce, state: tx.state },
          'vault transaction mined',
        );
        if (tx.state === 'reverted') throw revertedError(tx);
        return receipt;
      }
      if (stopped)
        throw new VaultError(
          'VAULT_TX_PENDING',
          `The sender stopped with ${tx.functionName} pending (journaled; resumed at the next start).`,
          { section: 'sending', args: [tx.attempts.at(-1)!.hash] },
        );
      const last = tx.attempts.at(-1)!;
      if (Date.now() - last.sentAt >= resendAfterMs) {
        const used = await getTransactionCount(client, {
          address: account!.address,
          blockTag: 'latest',
        }).catch(() => null);
        if (used !== null && used > tx.nonce) {
          // the nonce is used: by one of ours (look once more), or by a transaction sent outside the node
          const late = await receiptOf(tx);
          if (late !== null) continue;
          tx.state = 'replaced';
          await persist();
          throw new VaultError(
            'VAULT_TX_REPLACED',
            `The nonce ${tx.nonce} of ${tx.functionName} was used by another transaction of ${account!.address}.`,
            { section: 'sending', args: [tx.nonce, last.hash] },
          );
        }
        if (used !== null) {
          // dropped or stuck: the same call, the same nonce, fees raised by 25 % (at least the chain's current ones)
          const fees = await estimateFeesPerGas(client).catch(() => null);
          const bump = (old: string, now: bigint | undefined) => {
            const raised = (BigInt(old) * FEE_BUMP_PERCENT + 99n) / 100n;
            return now !== undefined && now > raised ? now : raised;
          };
          const signed = parseTransaction(last.raw);
          await sign(
            tx,
            signed.data ?? '0x',
            signed.gas ?? 0n,
            bump(last.maxFeePerGas, fees?.maxFeePerGas),
            bump(last.maxPriorityFeePerGas, fees?.maxPriorityFeePerGas),
          );
          await persist();
          log?.warn(
            { key: tx.key, nonce: tx.nonce, hash: tx.attempts.at(-1)!.hash, attempt: tx.attempts.length },
            'vault transaction not mined in time: re-sent with a higher fee',
          );
          await broadcast(tx);
        }
      }
      await pause(pollMs);
    }
  }

  const join = (tx: VaultTransaction): Promise<TransactionReceipt> => {
    let d = driving.get(tx.key);
    if (d === undefined) {
      d = drive(tx).finally(() => driving.delete(tx.key));
      driving.set(tx.key, d);
    }
    return d;
  };

  /** Runs `fn` with the nonce lock held: one allocation at a time, in journal order. */
  const withNonceLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = nonceLock.then(fn, fn);
    nonceLock = next.catch(() => undefined);
    return next;
  };

  const self: VaultSender = {
    chain: p.chain,
    member,
    address: account?.address ?? null,
    async send(req) {
      if (account === null) {
        throw new VaultError(
          'VAULT_NO_SENDER',
          `This node has no account to send ${req.functionName} from: its member ${member} is a contract and identity.sender is not set.`,
          { section: 'sending', args: [member] },
        );
      }
      if (req.asMember === true && account.address.toLowerCase() !== member.toLowerCase()) {
        throw new VaultError(
          'VAULT_SENDER_NOT_MEMBER',
          `${req.functionName} must be sent by the member ${member} itself; this node sends from ${account.address}.`,
          { section: 'sending', args: [member, account.address] },
        );
      }
      const had = journal.transactions.findLast((t) => t.key === req.key);
      if (had?.state === 'pending') return join(had);
      if (had?.state === 'mined') {
        try {
          return await getTransactionReceipt(client, { hash: had.hash! });
        } catch (error) {
          throw rpcUnavailable(error, `the receipt of ${had.hash}`);
        }
      }
      // new, or reverted / replaced before: a fresh simulation decides
      const abi = req.abi ?? (sfrVault.abi as Abi);
      try {
        await simulateContract(client, {
          address: req.to,
          abi,
          functionName: req.functionName,
          args: req.args,
          account,
          blockTag: req.simulateAt ?? 'latest',
        } as never);
      } catch (error) {
        const e = toVaultError(error, req.functionName);
        throw e === error && isRpcFailure(error)
          ? rpcUnavailable(error, `the simulation of ${req.functionName}`)
          : e;
      }
      const data = encodeFunctionData({ abi, functionName: req.functionName, args: req.args } as never);
      const tx = await withNonceLock(async () => {
        try {
          const [chainNonce, gas, fees] = await Promise.all([
            getTransactionCount(client, { address: account.address, blockTag: 'pending' }),
            estimateGas(client, { account, to: req.to, data, blockTag: req.simulateAt ?? 'latest' }), // the state the simulation saw
            estimateFeesPerGas(client),
          ]);
          const journaled = journal.transactions.reduce(
            (n, t) => (t.state === 'replaced' || t.state === 'superseded' ? n : Math.max(n, t.nonce + 1)),
            0,
          );
          const t: VaultTransaction = {
            key: req.key,
            functionName: req.functionName,
            to: getAddress(req.to),
            nonce: Math.max(chainNonce, journaled),
            state: 'pending',
            attempts: [],
          };
          await sign(
            t,
            data,
            (gas * GAS_HEADROOM_PERCENT) / 100n,
            fees.maxFeePerGas,
            fees.maxPriorityFeePerGas,
          );
          journal.transactions.push(t);
          await persist(); // journaled before it leaves: a crash after this resumes it, never re-signs the key
          return t;
        } catch (error) {
          throw error instanceof VaultError
            ? error
            : isRpcFailure(error)
              ? rpcUnavailable(error, `while preparing ${req.functionName}`)
              : toVaultError(error, req.functionName);
        }
      });
      log?.info(
        { key: tx.key, nonce: tx.nonce, hash: tx.attempts[0]!.hash, functionName: tx.functionName },
        'vault transaction sent',
      );
      await broadcast(tx);
      return join(tx);
    },
    transactions: () => journal.transactions,
    async start() {
      stopped = false;
      let text: string | null = null;
      try {
        text = await readFile(p.file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (text !== null) journal = JSON.parse(text) as Journal;
      // Newest first: a transaction is superseded only when no later one waits on its nonce.
      for (const tx of journal.transactions.filter((t) => t.state === 'pending').reverse()) {
        if (account !== null && (await supersededAtStart(tx))) {
          tx.state = 'superseded';
          await persist();
          log?.info(
            { key: tx.key, nonce: tx.nonce, hash: tx.attempts.at(-1)!.hash },
            'journaled vault transaction not sent: its effect already happened (it would revert)',
          );
          continue;
        }
        log?.info({ key: tx.key, nonce: tx.nonce }, 'resuming a pending vault transaction');
        await broadcast(tx);
        join(tx).catch((error: unknown) =>
          log?.warn(
            { key: tx.key, code: (error as { code?: string }).code },
            'resumed vault transaction failed',
          ),
        );
      }
    },
    async stop() {
      stopped = true;
      for (const done of [...stopWaiters]) done();
      await Promise.allSettled([...driving.values()]);
      await writes;
    },
  };
  // Two callers of one key between its first look at the journal and its entry get one transaction.
  const sendOnce = self.send.bind(self);
  const inflight = new Map<string, Promise<TransactionReceipt>>();
  self.send = (req) => {
    let sent = inflight.get(req.key);
    if (sent === undefined) {
      sent = sendOnce(req).finally(() => inflight.delete(req.key));
      inflight.set(req.key, sent);
    }
    return sent;
  };
  return self;
}
