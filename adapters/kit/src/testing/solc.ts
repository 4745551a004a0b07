import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Abi, Hex } from 'viem';

const require = createRequire(import.meta.url);

export interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
}

export interface CompileOptions {
  /** where compiled artifacts are cached, keyed by a hash of compiler + settings + sources; default `.cache/solc` under the working directory (or $SFR_SOLC_CACHE) */
  cacheDir?: string;
}

interface SolcModule {
  version(): string;
  compile(input: string): string;
}

let solc: SolcModule | undefined;
function loadSolc(): SolcModule {
  solc ??= require('solc') as SolcModule;
  return solc;
}

/** The solc-js version the cache key includes (read from its package.json, which loads in ~0 ms). */
function solcVersion(): string {
  return (require('solc/package.json') as { version: string }).version;
}

const settings = {
  evmVersion: 'cancun',
  optimizer: { enabled: false, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

/**
 * Compiles Solidity sources with solc-js (cancun) and returns every contract by name. Results are
 * cached on disk by content hash, so only the first run after a change pays the ~1–2 s compile.
 */
export async function compileSolidity(
  sources: Record<string, string>,
  options: CompileOptions = {},
): Promise<Record<string, CompiledContract>> {
  const dir = resolve(
    options.cacheDir ?? process.env['SFR_SOLC_CACHE'] ?? join(process.cwd(), '.cache', 'solc'),
  );
  const key = createHash('sha256')
    .update(JSON.stringify({ v: solcVersion(), settings, sources: Object.entries(sources).sort() }))
    .digest('hex');
  const file = join(dir, `${key}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, CompiledContract>;
  } catch {
    // not cached yet
  }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings,
  };
  const output = JSON.parse(loadSolc().compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const result: Record<string, CompiledContract> = {};
  for (const file of Object.values(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(file)) {
      result[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(result));
  await rename(tmp, file);
  return result;
}

/** Reads every `.sol` file named from a directory and compiles them together. */
export async function compileSolidityFiles(
  dir: string,
  names: string[],
  options: CompileOptions = {},
): Promise<Record<string, CompiledContract>> {
  const sources: Record<string, string> = {};
  for (const name of names) sources[name] = await readFile(join(dir, name), 'utf8');
  return compileSolidity(sources, options);
}
