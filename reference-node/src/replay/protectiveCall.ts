/**
 * The command of a replayed protective action (spec/v1/contagion.md#protective-actions): sends one
 * transaction on the scenario's chain from an unlocked anvil account and prints the report the node
 * turns into a signed RecoveryEvent: the action's kind, the contract as its scope, and the
 * transaction's first log as evidence.
 *
 * Usage (the replay writes it into the node's config): node protectiveCall.js <rpcUrl> <address>
 *   <function signature> <JSON arguments> <kind>; the trigger arrives on stdin and is not needed.
 */
import { type Address, createPublicClient, createWalletClient, type Hex, http } from 'viem';
import { coerceArgs, functionOf } from './scenarioChain.js';

/** [anvil] The last of anvil's ten unlocked default accounts: the replay's own steps use the first. */
const ACTION_ACCOUNT_INDEX = 9;

async function main(argv: readonly string[]): Promise<void> {
  const [rpcUrl, address, signature, argsJson, kind] = argv;
  if (rpcUrl === undefined || address === undefined || signature === undefined || kind === undefined)
    throw new Error('usage: protectiveCall <rpcUrl> <address> <function> <args JSON> <kind>');
  process.stdin.resume();
  process.stdin.on('data', () => undefined);
  const fn = functionOf(signature);
  const args = coerceArgs(fn.inputs, JSON.parse(argsJson ?? '[]') as unknown[]);
  const transport = http(rpcUrl, { retryCount: 0 });
  const client = createPublicClient({ transport });
  const accounts = (await client.request({ method: 'eth_accounts' } as never)) as Address[];
  const account = accounts[ACTION_ACCOUNT_INDEX] ?? accounts[0]!;
  const chainId = await client.getChainId();
  const wallet = createWalletClient({ transport, account });
  const hash = await wallet.writeContract({
    address: address as Address,
    abi: [fn],
    functionName: fn.name,
    args,
    chain: null,
    gas: 3_000_000n,
  } as never);
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const log = receipt.logs[0];
  if (receipt.status !== 'success' || log === undefined)
    throw new Error(`${signature} ${receipt.status === 'success' ? 'emitted no log' : 'reverted'}`);
  const report = {
    kind,
    mechanism: 'guardian',
    scope: { chain: `eip155:${chainId}`, contracts: [address] },
    evidence: [
      {
        type: 'log',
        chain: `eip155:${chainId}`,
        blockNumber: Number(log.blockNumber),
        blockHash: log.blockHash as Hex,
        txHash: log.transactionHash as Hex,
        logIndex: log.logIndex,
        emitter: log.address,
        topic0: log.topics[0],
      },
    ],
    summary: `protective action: ${signature} on ${address}`,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`protective action failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
