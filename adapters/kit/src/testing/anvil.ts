import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createTestClient,
  getAddress,
  type Hex,
  type HttpTransport,
  http,
  type PublicActions,
  publicActions,
  type TestClient,
  type TransactionReceipt,
  type WalletActions,
  walletActions,
} from 'viem';
import { foundry } from 'viem/chains';

const require = createRequire(import.meta.url);

/** The first of anvil's default unlocked accounts (anvil's fixed test mnemonic). */
export const anvilDefaultAccount: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

/** A viem client with anvil test actions, public actions and wallet actions (default account). */
export type AnvilClient = TestClient<'anvil', HttpTransport, Chain, Account> &
  PublicActions<HttpTransport, Chain, Account> &
  WalletActions<Chain, Account>;

function createAnvilClient(rpcUrl: string): AnvilClient {
  return createTestClient({
    chain: foundry,
    mode: 'anvil',
    account: anvilDefaultAccount,
    transport: http(rpcUrl, { retryCount: 0 }),
    cacheTime: 0,
    pollingInterval: 50,
  })
    .extend(publicActions)
    .extend(walletActions) as unknown as AnvilClient;
}

export interface AnvilInstance {
  rpcUrl: string;
  port: number;
  /** anvil's default chain id */
  chainId: 31337;
  client: AnvilClient;
  stop(): Promise<void>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  mine(blocks?: number): Promise<void>;
  increaseTime(seconds: number): Promise<void>;
  setAutomine(enabled: boolean): Promise<void>;
  /** deploys compiled bytecode and returns its address */
  deploy(artifact: { abi: Abi; bytecode: Hex }, args?: readonly unknown[]): Promise<Address>;
  /** sends a contract call and waits for it to be mined (automine on) */
  write(
    address: Address,
    abi: Abi,
    functionName: string,
    args?: readonly unknown[],
  ): Promise<TransactionReceipt>;
  /** sends a contract call without waiting (for automine-off batches) */
  send(address: Address, abi: Abi, functionName: string, args?: readonly unknown[]): Promise<Hex>;
}

export interface StartAnvilOptions {
  /** extra anvil arguments */
  args?: string[];
  timeoutMs?: number;
}

/** Path of the anvil binary installed from npm (@foundry-rs/anvil-linux-amd64). */
export function resolveAnvilBinary(): string {
  return require.resolve('@foundry-rs/anvil-linux-amd64/bin/anvil');
}

/** Starts anvil on a free loopback port; resolves once it listens. Always call `stop()`. */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const child: ChildProcess = spawn(
    resolveAnvilBinary(),
    ['--host', '127.0.0.1', '--port', '0', '--chain-id', '31337', ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`anvil did not start within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(buffer);
      if (match !== null) {
        clearTimeout(timer);
        buffer = '';
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited early with code ${code}`));
    });
  });
  child.stderr?.resume();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const client = createAnvilClient(rpcUrl);

  async function write(address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []) {
    // explicit gas: an estimate made in a block with the same timestamp can fall short once mined
    const hash = await client.writeContract({ address, abi, functionName, args, gas: 3_000_000n } as never);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
    return receipt;
  }

  return {
    rpcUrl,
    port,
    chainId: 31337,
    client,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
    snapshot: () => client.snapshot(),
    revert: (id) => client.revert({ id }),
    mine: (blocks = 1) => client.mine({ blocks }),
    async increaseTime(seconds) {
      await client.increaseTime({ seconds });
    },
    setAutomine: (enabled) => client.setAutomine(enabled),
    async deploy(artifact, args = []) {
      const hash = await client.deployContract({
        abi: artifact.abi,
        bytecode: artifact.bytecode,
        args,
      } as never);
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.contractAddress === null || receipt.contractAddress === undefined) {
        throw new Error('deployment failed');
      }
      return getAddress(receipt.contractAddress);
    },
    write,
    send: (address, abi, functionName, args = []) =>
      client.writeContract({ address, abi, functionName, args, gas: 3_000_000n } as never),
  };
}
