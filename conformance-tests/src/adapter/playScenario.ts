/**
 * Plays the scenario of an `adapter` case on anvil (spec/v1/conformance.md#adapter-level): deploys
 * the case's contracts from the file's compiled artifacts, sends its transactions, mines, snapshots
 * and reverts, and records what a placeholder may name (contract addresses, transaction hashes,
 * blocks, log indexes).
 */
import { SfrError, sfrMessage } from '@sfr/schemas';
import {
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  type Hex,
  parseAbiItem,
  type TransactionReceipt,
} from 'viem';
import { HarnessCode } from '../errors.js';
import { isRecord } from '../vectors/loadVectors.js';
import { type AnvilChain, anvilChainId, anvilSender } from './startAnvil.js';

export type ScenarioCall = { label?: string; contract: string; function: string; args?: unknown[] };
export type ScenarioStep =
  | ({ kind: 'call' } & ScenarioCall)
  | { kind: 'block'; calls: ScenarioCall[] }
  | { kind: 'mine'; blocks: number }
  | { kind: 'increaseTime'; seconds: number }
  | { kind: 'snapshot' }
  | { kind: 'revert' };
export type Scenario = {
  contracts: { name: string; artifact: string; args?: unknown[] }[];
  steps: ScenarioStep[];
};
export type Artifacts = Record<string, { abi: Abi; bytecode: Hex }>;

type MinedTx = {
  hash: Hex;
  blockNumber: number;
  blockHash: Hex;
  logs: { logIndex: number; address: Address; topics: Hex[] }[];
};

/** What the scenario produced, for placeholders and evidence refs. */
export type ScenarioState = {
  rpcUrl: string;
  /** First block after the deployments: where the adapter's scan starts. */
  fromBlock: number;
  contracts: Map<string, Address>;
  txs: Map<string, MinedTx>;
};

/** A scenario the runner could not play (a bad vector, a revert, anvil failing). */
/**
 * A scenario of an adapter-level vector that cannot be played on anvil (spec/v1/conformance.md#adapter-level):
 * the vector file is at fault (HARNESS_INVALID_VECTOR_FILE); the runner reports the first line.
 */
export class ScenarioError extends SfrError<typeof HarnessCode.invalidVectorFile, undefined> {
  override readonly name = 'ScenarioError';
  constructor(summary: string) {
    const section = 'conformance.md#adapter-level';
    super(HarnessCode.invalidVectorFile, sfrMessage(summary, HarnessCode.invalidVectorFile, section), {
      section,
      details: undefined,
    });
  }
}

/** Gas of every scenario transaction: explicit, since an estimate in a same-timestamp block can fall short. */
const scenarioGas = 3_000_000n;

export async function playScenario(
  chain: AnvilChain,
  scenario: Scenario,
  artifacts: Artifacts,
): Promise<ScenarioState> {
  const { client } = chain;
  const state: ScenarioState = { rpcUrl: chain.rpcUrl, fromBlock: 0, contracts: new Map(), txs: new Map() };
  for (const contract of scenario.contracts) {
    const artifact = artifacts[contract.artifact];
    if (artifact === undefined)
      throw new ScenarioError(`no artifact ${JSON.stringify(contract.artifact)} in the file`);
    const ctor = artifact.abi.find((item) => item.type === 'constructor');
    const args = convertArgs(
      ctor?.inputs ?? [],
      resolvePlaceholders(contract.args ?? [], state) as unknown[],
    );
    const hash = await client.sendTransaction({
      data: encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args } as never),
      gas: 10_000_000n,
    } as never);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== 'success' || receipt.contractAddress == null) {
      throw new ScenarioError(`deploying ${contract.name} (${contract.artifact}) failed`);
    }
    state.contracts.set(contract.name, getAddress(receipt.contractAddress));
  }
  state.fromBlock = Number(await client.getBlockNumber()) + 1;
  const snapshots: Hex[] = [];
  for (const [i, step] of scenario.steps.entries()) {
    switch (step.kind) {
      case 'call': {
        const hash = await send(chain, step, state);
        record(state, step, await mined(chain, hash, step));
        break;
      }
      case 'block': {
        await client.setAutomine(false);
        const hashes: Hex[] = [];
        try {
          for (const call of step.calls) hashes.push(await send(chain, call, state));
          await client.mine({ blocks: 1 });
        } finally {
          await client.setAutomine(true);
        }
        for (const [j, call] of step.calls.entries())
          record(state, call, await mined(chain, hashes[j]!, call));
        break;
      }
      case 'mine':
        await client.mine({ blocks: step.blocks });
        break;
      case 'increaseTime':
        // evm_increaseTime: the next mined block's timestamp jumps by this much.
        await client.increaseTime({ seconds: step.seconds });
        break;
      case 'snapshot':
        snapshots.push(await client.snapshot());
        break;
      case 'revert': {
        const id = snapshots.pop();
        if (id === undefined) throw new ScenarioError(`steps[${i}]: revert without a snapshot`);
        await client.revert({ id });
        break;
      }
      default:
        throw new ScenarioError(`steps[${i}]: unknown step ${JSON.stringify(step)}`);
    }
  }
  return state;
}

async function send(chain: AnvilChain, call: ScenarioCall, state: ScenarioState): Promise<Hex> {
  const address = state.contracts.get(call.contract);
  if (address === undefined) throw new ScenarioError(`no contract named ${JSON.stringify(call.contract)}`);
  let item: AbiFunction;
  try {
    item = parseAbiItem(`function ${call.function}`) as AbiFunction;
  } catch {
    throw new ScenarioError(`bad function signature ${JSON.stringify(call.function)}`);
  }
  const args = convertArgs(item.inputs, resolvePlaceholders(call.args ?? [], state) as unknown[]);
  const data = encodeFunctionData({ abi: [item], functionName: item.name, args } as never);
  return chain.client.sendTransaction({ to: address, data, gas: scenarioGas } as never);
}

async function mined(chain: AnvilChain, hash: Hex, call: ScenarioCall): Promise<TransactionReceipt> {
  const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== 'success') throw new ScenarioError(`${call.contract}.${call.function} reverted`);
  return receipt;
}

function record(state: ScenarioState, call: ScenarioCall, receipt: TransactionReceipt): void {
  if (call.label === undefined) return;
  state.txs.set(call.label, {
    hash: receipt.transactionHash,
    blockNumber: Number(receipt.blockNumber),
    blockHash: receipt.blockHash,
    logs: receipt.logs.map((l) => ({
      logIndex: l.logIndex,
      address: getAddress(l.address),
      topics: l.topics,
    })),
  });
}

/** JSON arguments → viem values: integers (decimal strings or numbers) become bigint, by ABI type. */
function convertArgs(params: readonly AbiParameter[], args: unknown[]): unknown[] {
  if (args.length !== params.length) {
    throw new ScenarioError(`expected ${params.length} arguments, got ${args.length}`);
  }
  return params.map((p, i) => convertValue(p.type, args[i]));
}

function convertValue(type: string, value: unknown): unknown {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) throw new ScenarioError(`argument of type ${type} must be an array`);
    return value.map((v) => convertValue(type.slice(0, -2), v));
  }
  if (/^u?int\d*$/.test(type)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ScenarioError(`argument of type ${type} must be a decimal string`);
    }
    return BigInt(value);
  }
  return value;
}

const placeholderPattern = /^\{\{([A-Za-z]+)(?::([A-Za-z0-9_.-]+))?(?::(\d+))?\}\}$/;

/**
 * Replaces every string that is exactly a placeholder (`{{kind}}`, `{{kind:name}}` or
 * `{{kind:name:i}}`) by its value; other strings are left alone. Throws {@link ScenarioError} for
 * a placeholder that names nothing.
 */
export function resolvePlaceholders(value: unknown, state: ScenarioState): unknown {
  if (typeof value === 'string') {
    const match = placeholderPattern.exec(value);
    return match === null ? value : placeholderValue(value, match[1]!, match[2], match[3], state);
  }
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, state));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, state)]));
  }
  return value;
}

function placeholderValue(
  text: string,
  kind: string,
  name: string | undefined,
  index: string | undefined,
  state: ScenarioState,
): unknown {
  const tx = () => {
    const found = name === undefined ? undefined : state.txs.get(name);
    if (found === undefined) throw new ScenarioError(`placeholder ${text}: no transaction labelled ${name}`);
    return found;
  };
  switch (kind) {
    case 'rpcUrl':
      return state.rpcUrl;
    case 'sender':
      return anvilSender;
    case 'fromBlock':
      return state.fromBlock;
    case 'contract': {
      const address = name === undefined ? undefined : state.contracts.get(name);
      if (address === undefined) throw new ScenarioError(`placeholder ${text}: no contract named ${name}`);
      return address;
    }
    case 'tx':
      return tx().hash;
    case 'block':
      return tx().blockNumber;
    case 'blockHash':
      return tx().blockHash;
    case 'logIndex': {
      const log = tx().logs[Number(index ?? 0)];
      if (log === undefined) throw new ScenarioError(`placeholder ${text}: the transaction has no such log`);
      return log.logIndex;
    }
    default:
      throw new ScenarioError(`unknown placeholder ${text}`);
  }
}

/** Tampering of a real evidence ref (conformance.md#adapter-level). */
export type RefTamper =
  | 'none'
  | 'logIndex'
  | 'txHash'
  | 'beyondHead'
  | 'topic0'
  | 'emitter'
  | 'chain'
  | 'malformed'
  | 'result'
  | 'selector';

/** Which evidence ref a `verifyEvidence` case derives: a log of a labelled transaction, or a view call. */
export type RefSpec =
  | { tx: string; log?: number; tamper?: RefTamper }
  | { call: { contract: string; function: string; args?: unknown[] }; at?: string; tamper?: RefTamper };

/** Builds the evidence ref of a case from the chain (conformance.md#adapter-level, derived refs). */
export async function deriveRef(
  chain: AnvilChain,
  state: ScenarioState,
  spec: RefSpec,
): Promise<Record<string, unknown>> {
  if ('tx' in spec) return deriveLogRef(state, spec);
  const to = state.contracts.get(spec.call.contract);
  if (to === undefined)
    throw new ScenarioError(`ref: no contract named ${JSON.stringify(spec.call.contract)}`);
  let item: AbiFunction;
  try {
    item = parseAbiItem(`function ${spec.call.function}`) as AbiFunction;
  } catch {
    throw new ScenarioError(`ref: bad function signature ${JSON.stringify(spec.call.function)}`);
  }
  const args = convertArgs(item.inputs, resolvePlaceholders(spec.call.args ?? [], state) as unknown[]);
  const data = encodeFunctionData({ abi: [item], functionName: item.name, args } as never);
  let blockNumber: bigint;
  if (spec.at === undefined) blockNumber = await chain.client.getBlockNumber();
  else {
    const tx = state.txs.get(spec.at);
    if (tx === undefined) throw new ScenarioError(`ref: no transaction labelled ${spec.at}`);
    blockNumber = BigInt(tx.blockNumber);
  }
  const block = await chain.client.getBlock({ blockNumber });
  const { data: result } = await chain.client.call({ to, data, blockNumber });
  const ref = {
    type: 'call',
    chain: `eip155:${anvilChainId}`,
    blockNumber: Number(blockNumber),
    blockHash: block.hash,
    to,
    data,
    result: result ?? '0x',
  };
  switch (spec.tamper ?? 'none') {
    case 'none':
      return ref;
    case 'result':
      return { ...ref, result: `0x${'00'.repeat(31)}07` };
    case 'selector':
      return { ...ref, data: '0xdeadbeef' };
    case 'emitter':
      return { ...ref, to: getAddress(`0x${'de'.repeat(20)}`) };
    case 'beyondHead':
      return { ...ref, blockNumber: ref.blockNumber + 10_000 };
    case 'chain':
      return { ...ref, chain: 'eip155:999999' };
    case 'malformed':
      return { ...ref, blockHash: '0x1234' };
    default:
      throw new ScenarioError(`ref: tamper ${JSON.stringify(spec.tamper)} does not apply to a call ref`);
  }
}

/** Builds the log evidence ref of log `index` of transaction `label`, then tampers it. */
function deriveLogRef(
  state: ScenarioState,
  spec: { tx: string; log?: number; tamper?: RefTamper },
): Record<string, unknown> {
  const tx = state.txs.get(spec.tx);
  if (tx === undefined) throw new ScenarioError(`ref: no transaction labelled ${spec.tx}`);
  const log = tx.logs[spec.log ?? 0];
  if (log === undefined || log.topics[0] === undefined)
    throw new ScenarioError(`ref: ${spec.tx} has no log ${spec.log ?? 0}`);
  const ref = {
    type: 'log',
    chain: `eip155:${anvilChainId}`,
    blockNumber: tx.blockNumber,
    blockHash: tx.blockHash,
    txHash: tx.hash,
    logIndex: log.logIndex,
    emitter: log.address,
    topic0: log.topics[0],
  };
  switch (spec.tamper ?? 'none') {
    case 'none':
      return ref;
    case 'logIndex':
      return { ...ref, logIndex: ref.logIndex + 500 };
    case 'txHash':
      return { ...ref, txHash: `0x${'ab'.repeat(32)}` };
    case 'beyondHead':
      return { ...ref, blockNumber: ref.blockNumber + 10_000 };
    case 'topic0':
      return { ...ref, topic0: `0x${'11'.repeat(32)}` };
    case 'emitter':
      return { ...ref, emitter: getAddress(`0x${'de'.repeat(20)}`) };
    case 'chain':
      return { ...ref, chain: 'eip155:999999' };
    case 'malformed':
      return { ...ref, blockHash: '0x1234' };
    default:
      throw new ScenarioError(`ref: tamper ${JSON.stringify(spec.tamper)} does not apply to a log ref`);
  }
}
