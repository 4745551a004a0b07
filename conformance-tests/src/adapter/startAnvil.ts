/**
 * The local chain of the `adapter` level (spec/v1/conformance.md#adapter-level): the runner starts
 * anvil itself, on a free 127.0.0.1 port with chain id 31337, once per case, and stops it by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type Account,
  type Chain,
  createTestClient,
  type HttpTransport,
  http,
  type PublicActions,
  publicActions,
  type TestClient,
  type WalletActions,
  walletActions,
} from 'viem';
import { foundry } from 'viem/chains';

const require = createRequire(import.meta.url);

/** Chain id the runner starts anvil with; vectors cite `eip155:31337` (anvil's default). */
export const anvilChainId = 31337;
/** The first of anvil's default unlocked accounts (its fixed test mnemonic): every scenario transaction is sent from it. */
export const anvilSender = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as const;
/** How long anvil may take to print its listening address (it needs ~0.2 s; a loaded machine more). */
const anvilStartTimeoutMs = 10_000;
/** After SIGTERM, how long before SIGKILL. */
const anvilKillWaitMs = 3_000;

export type AnvilClient = TestClient<'anvil', HttpTransport, Chain, Account> &
  PublicActions<HttpTransport, Chain, Account> &
  WalletActions<Chain, Account>;

export type AnvilChain = {
  rpcUrl: string;
  client: AnvilClient;
  stop(): Promise<void>;
};

export type ResolveAnvilReturnType = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Where the anvil binary is: `explicit` (`--anvil`), else `$SFR_ANVIL`, else the npm package
 * `@foundry-rs/anvil-linux-amd64` (an optional dependency, installed on linux x64 only).
 */
export function resolveAnvil(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolveAnvilReturnType {
  const candidate = explicit ?? env['SFR_ANVIL'];
  if (candidate !== undefined && candidate !== '') {
    try {
      accessSync(candidate, constants.X_OK);
      return { ok: true, path: candidate };
    } catch {
      return { ok: false, reason: `anvil at ${candidate} is not an executable file` };
    }
  }
  try {
    const path = require.resolve('@foundry-rs/anvil-linux-amd64/bin/anvil');
    accessSync(path, constants.X_OK);
    return { ok: true, path };
  } catch {
    return {
      ok: false,
      reason:
        'anvil not found: install @foundry-rs/anvil-linux-amd64 (linux x64), or pass --anvil <path> or set SFR_ANVIL',
    };
  }
}

/** Every anvil this process started and has not stopped, for {@link killAllAnvils}. */
const live = new Set<ChildProcess>();

/** Kills every anvil still running, synchronously (the CLI's `exit` handler). */
export function killAllAnvils(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** Starts anvil on a free loopback port and resolves once it listens. Always call `stop()`. */
export async function startAnvil(binary: string): Promise<AnvilChain> {
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(anvilChainId)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString()}`.slice(-1000);
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(
        () => reject(new Error(`anvil did not listen within ${anvilStartTimeoutMs} ms`)),
        anvilStartTimeoutMs,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(buffer);
        if (match !== null) {
          clearTimeout(timer);
          child.stdout?.removeAllListeners('data');
          child.stdout?.resume();
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`anvil exited early (${code ?? signal}): ${stderr.trim()}`));
      });
    });
    const rpcUrl = `http://127.0.0.1:${port}`;
    const client = createTestClient({
      chain: foundry,
      mode: 'anvil',
      account: anvilSender,
      transport: http(rpcUrl, { retryCount: 0 }),
      cacheTime: 0,
      pollingInterval: 20,
    })
      .extend(publicActions)
      .extend(walletActions) as unknown as AnvilClient;
    return { rpcUrl, client, stop: () => stopChild(child, exited) };
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  live.delete(child);
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), anvilKillWaitMs);
  await exited;
  clearTimeout(timer);
}
