/**
 * The chain of a crisis replay: anvil (from npm), the scenario's test contracts compiled from the
 * adapters' folders (solc-js, cached by content hash) and deployed in order, `$<name>` resolved to
 * their addresses, and the steps' transactions and clock moves.
 */
import path from 'node:path';
import type { AnvilInstance, CompiledContract } from '@sfr/adapter-kit/testing';
import type { ContractCall, Scenario } from '@sfr/schemas/types';
import { type Abi, type AbiFunction, type AbiParameter, type Address, parseAbiItem } from 'viem';
import { ReplayError } from './replayError.js';

export interface ScenarioChain {
  readonly anvil: AnvilInstance;
  readonly rpcUrl: string;
  /** The first block after the deployments: adapters scan from here. */
  readonly startBlock: number;
  /** `$<name>` strings replaced by addresses, anywhere in `value`. */
  resolve<T>(value: T): T;
  /** Sends a step's transaction and waits until it is mined; resolves with its hash. */
  call(c: ContractCall): Promise<string>;
  advanceTime(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

/** Everything under `<root>/adapters/<folder>/contracts/`. */
export async function startScenarioChain(
  scenario: Scenario,
  options: { root: string; cacheDir: string },
): Promise<ScenarioChain> {
  // Loaded here, not at the top: `sfr --help` must not pay for viem's test actions and solc.
  const { compileSolidityFiles, startAnvil } = await import('@sfr/adapter-kit/testing');
  const bySource = new Map<string, string[]>();
  for (const c of scenario.contracts) {
    const list = bySource.get(c.source) ?? [];
    if (!list.includes(c.contract)) list.push(c.contract);
    bySource.set(c.source, list);
  }
  const artifacts = new Map<string, Record<string, CompiledContract>>();
  for (const source of bySource.keys()) {
    const file = path.join(options.root, 'adapters', source);
    try {
      artifacts.set(
        source,
        await compileSolidityFiles(path.dirname(file), [path.basename(file)], { cacheDir: options.cacheDir }),
      );
    } catch (cause) {
      throw new ReplayError(
        'REPLAY_STEP_FAILED',
        `cannot compile adapters/${source}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
  const anvil = await startAnvil();
  try {
    const addresses = new Map<string, Address>();
    const abis = new Map<string, Abi>();
    const resolve = <T>(value: T): T => {
      if (typeof value === 'string' && value.startsWith('$') && addresses.has(value.slice(1)))
        return addresses.get(value.slice(1)) as T;
      if (Array.isArray(value)) return value.map(resolve) as T;
      if (typeof value === 'object' && value !== null)
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)])) as T;
      return value;
    };
    for (const [i, c] of scenario.contracts.entries()) {
      const artifact = artifacts.get(c.source)![c.contract];
      if (artifact === undefined)
        throw new ReplayError('REPLAY_STEP_FAILED', `adapters/${c.source} has no contract ${c.contract}`, {
          pointer: `/contracts/${i}/contract`,
        });
      try {
        const ctor = artifact.abi.find((x) => x.type === 'constructor');
        const inputs = ctor !== undefined && 'inputs' in ctor ? ctor.inputs : [];
        addresses.set(c.name, await anvil.deploy(artifact, coerceArgs(inputs, resolve(c.args ?? []))));
      } catch (cause) {
        throw new ReplayError(
          'REPLAY_STEP_FAILED',
          `deploying ${c.name} (${c.contract}) failed: ${(cause as Error).message}`,
          {
            pointer: `/contracts/${i}`,
            cause,
          },
        );
      }
      abis.set(c.name, artifact.abi);
    }
    const startBlock = Number(await anvil.client.getBlockNumber()) + 1;
    return {
      anvil,
      rpcUrl: anvil.rpcUrl,
      startBlock,
      resolve,
      async call(c) {
        const fn = functionOf(c.function);
        try {
          const args = coerceArgs(fn.inputs, resolve(c.args ?? []));
          const receipt = await anvil.write(addresses.get(c.contract)!, [fn], fn.name, args);
          return receipt.transactionHash;
        } catch (cause) {
          throw new ReplayError(
            'REPLAY_STEP_FAILED',
            `${c.contract}.${c.function} failed: ${(cause as Error).message}`,
            {
              cause,
            },
          );
        }
      },
      async advanceTime(seconds) {
        await anvil.increaseTime(seconds);
        await anvil.mine(1);
      },
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/** `updateAnswer(int256)` → the ABI item viem calls. */
export function functionOf(signature: string): AbiFunction {
  try {
    return parseAbiItem(`function ${signature}`) as AbiFunction;
  } catch (cause) {
    throw new ReplayError('REPLAY_SCENARIO_INVALID', `"${signature}" is not a function signature`, { cause });
  }
}

/**
 * JSON arguments → what viem encodes: integers (decimal strings or safe integers) to bigint by the
 * ABI type, arrays and tuples element by element; addresses, booleans, strings and bytes as given.
 */
export function coerceArgs(inputs: readonly AbiParameter[], args: readonly unknown[]): unknown[] {
  if (args.length !== inputs.length)
    throw new ReplayError(
      'REPLAY_SCENARIO_INVALID',
      `expected ${inputs.length} arguments, got ${args.length}`,
    );
  return inputs.map((p, i) => coerce(p, args[i]));
}

function coerce(p: AbiParameter, v: unknown): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(p.type);
  if (array !== null) {
    if (!Array.isArray(v))
      throw new ReplayError('REPLAY_SCENARIO_INVALID', `${p.name ?? p.type}: expected an array`);
    return v.map((x) => coerce({ ...p, type: array[1]! } as AbiParameter, x));
  }
  if (p.type === 'tuple' && 'components' in p) {
    if (!Array.isArray(v))
      throw new ReplayError('REPLAY_SCENARIO_INVALID', `${p.name ?? 'tuple'}: expected an array`);
    return coerceArgs(p.components, v);
  }
  if (/^u?int\d*$/.test(p.type)) {
    if (
      (typeof v === 'string' && /^-?(0|[1-9][0-9]*)$/.test(v)) ||
      (typeof v === 'number' && Number.isSafeInteger(v))
    )
      return BigInt(v);
    throw new ReplayError(
      'REPLAY_SCENARIO_INVALID',
      `${p.name ?? p.type}: expected an integer (decimal string), got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
