/**
 * What a node config needs beyond its schema, checked before the node opens its store or joins the
 * network (node.md#configuration): the files it points at (member key, API token, chain RPC URL
 * files), the data directory, the addresses it listens on, and its adapters, built as the node
 * builds them (no RPC), and where each pool's vault follower starts (one head read per chain). `sfr node start` refuses the first problem; `sfr config check` prints them all.
 *
 *   const problems = await checkNodeConfig({ config, baseDir });
 *   for (const p of problems) console.error(`${p.code} ${p.field}: ${p.message}`);
 */
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { NodeConfig } from '@sfr/schemas';
import { readSecretFile, secretFileExpectation } from '../keys/privateFile.js';
import { CliError } from './cliError.js';

/** One thing wrong with a config: a registered reason code, the setting (JSON pointer), what to do. */
export interface ConfigProblem {
  readonly code: string;
  readonly field: string;
  readonly message: string;
}

export interface CheckNodeConfigParameters {
  /** A config that passed `loadConfig` (schema-valid). */
  readonly config: NodeConfig;
  /** Relative paths in the config resolve against this (the config file's folder). */
  readonly baseDir: string;
  /**
   * Also open the store, as the node will, to find a data directory held by a running node
   * (`sfr config check`). `sfr node start` opens it anyway and gets the same STORE_OPEN_FAILED.
   */
  readonly openStore?: boolean;
  /**
   * Also read each settlement chain's head to check `pools[].vault.fromBlock` against it (`sfr config
   * check`); `sfr node start` does not wait on a chain, whose RPC may be down for a while.
   */
  readonly readChains?: boolean;
}

/** Default ports of NodeConfig (http.port, metrics.port). */
const DEFAULT_HTTP_PORT = 7410;
const DEFAULT_METRICS_PORT = 9464;

/**
 * node.md#data-directory: a data directory others may write to lets them replace the store, the
 * signing journal or the token, so it is refused before anything opens (issue 13 finding 7).
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  const info = await stat(dataDir);
  if (!info.isDirectory()) throw new CliError('CONFIG_BAD_VALUE', `dataDir ${dataDir} is not a directory`);
  if ((info.mode & 0o002) !== 0) {
    throw new CliError(
      'CONFIG_BAD_VALUE',
      `dataDir ${dataDir} has mode ${(info.mode & 0o777).toString(8)}: any user can write to it; expected 700 (chmod 700 ${dataDir})`,
    );
  }
}

/**
 * Reads the API token file. The token grants signing as the member, so the file is held to the
 * key file's rule (readSecretFile): a regular file (a FIFO would hang start-up) readable and
 * writable by its owner only (issue 13 finding 7).
 */
export async function readToken(file: string): Promise<string> {
  const text = (
    await readSecretFile(file, (why) =>
      why.reason === 'unreadable'
        ? new CliError('CONFIG_KEY_UNREADABLE', `cannot read http.tokenFile ${file} (${why.errno})`)
        : new CliError(
            'CONFIG_KEY_UNREADABLE',
            `http token file ${file} ${secretFileExpectation(file, why)}`,
          ),
    )
  )
    .toString('utf8')
    .trim();
  if (text.length < 16 || /\s/.test(text)) {
    throw new CliError(
      'CONFIG_KEY_UNREADABLE',
      `http.tokenFile ${file} must hold one token of at least 16 characters`,
    );
  }
  return text;
}

/** A TCP address the node will listen on, with the setting that names it. */
interface ListenAddress {
  readonly field: string;
  readonly setting: string;
  readonly host: string;
  readonly port: number;
}

/** The fixed TCP ports of the config (port 0 means any free port and cannot clash). */
function listenAddressesOf(config: NodeConfig): ListenAddress[] {
  const out: ListenAddress[] = [];
  if (config.http?.enabled !== false) {
    out.push({
      field: '/http/port',
      setting: 'http.port (the HTTP API)',
      host: config.http?.host ?? '127.0.0.1',
      port: config.http?.port ?? DEFAULT_HTTP_PORT,
    });
  }
  if (config.metrics?.enabled === true) {
    out.push({
      field: '/metrics/port',
      setting: 'metrics.port',
      host: config.metrics.host ?? '127.0.0.1',
      port: config.metrics.port ?? DEFAULT_METRICS_PORT,
    });
  }
  for (const [i, addr] of config.network.listen.entries()) {
    const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)(?:\/|$)/.exec(addr);
    if (m === null) continue;
    out.push({
      field: `/network/listen/${i}`,
      setting: `network.listen[${i}] (libp2p)`,
      host: m[2]!,
      port: Number(m[3]),
    });
  }
  return out.filter((a) => a.port !== 0);
}

/** Binds `host:port` for a moment: the error code the node's own listen would meet, or undefined. */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

async function checkListenAddresses(config: NodeConfig): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, ListenAddress>();
  for (const a of listenAddressesOf(config)) {
    const where = `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
    const twice = seen.get(`${a.port}`);
    if (twice !== undefined && (twice.host === a.host || [twice.host, a.host].includes('0.0.0.0'))) {
      problems.push({
        code: 'CONFIG_ADDRESS_IN_USE',
        field: a.field,
        message: `${a.setting} ${where} is also ${twice.setting}; give each its own port`,
      });
      continue;
    }
    seen.set(`${a.port}`, a);
    const failure = await tryListen(a.host, a.port);
    if (failure === undefined) continue;
    problems.push(
      failure === 'EADDRINUSE'
        ? {
            code: 'CONFIG_ADDRESS_IN_USE',
            field: a.field,
            message: `${a.setting} ${where} is in use by another process (another node?); stop it or choose another port`,
          }
        : {
            code: 'CONFIG_BAD_VALUE',
            field: a.field,
            message: `${a.setting} ${where} cannot be listened on (${failure}${
              failure === 'EADDRNOTAVAIL'
                ? ': not an address of this machine'
                : failure === 'EACCES'
                  ? ': a privileged port'
                  : ''
            })`,
          },
    );
  }
  return problems;
}

function problemOf(error: unknown, field: string, fallback: string): ConfigProblem {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' && /^[A-Z]+_[A-Z_]+$/.test(e.code) ? e.code : fallback;
  const message = String(e.message ?? error)
    .replace(/^[A-Z_]+: /, '')
    .split('\n')
    .join(' ');
  return { code, field, message };
}

async function checkKeyFile(config: NodeConfig, baseDir: string): Promise<ConfigProblem[]> {
  const { inspectKeyFile } = await import('../keys/index.js');
  const file = path.resolve(baseDir, config.identity.keyFile);
  try {
    const info = await inspectKeyFile(file);
    if (info.form !== 'multisig') return [];
    // node.md#multisig-members: the owners and threshold are read through the chain's RPC.
    const { parseKeyFile } = await import('../keys/index.js');
    const parsed = await parseKeyFile(file);
    const chain = parsed.form === 'multisig' ? parsed.reference.chain : '';
    return (config.chains ?? []).some((c) => c.chain === chain)
      ? []
      : [
          {
            code: 'CONFIG_INVALID',
            field: '/chains',
            message: `no chains[] entry for ${chain}: a multisig member's node reads its owners through it`,
          },
        ];
  } catch (error) {
    return [problemOf(error, '/identity/keyFile', 'CONFIG_KEY_UNREADABLE')];
  }
}

async function checkAdapters(config: NodeConfig, baseDir: string, dataDir: string): Promise<ConfigProblem[]> {
  if ((config.adapters ?? []).length === 0) return [];
  const { createAdapterHost, resolveAdapterEntries } = await import('../hosting/index.js');
  try {
    // Built as `sfr node start` builds them (the package loads, the adapter takes its config), never started.
    await createAdapterHost({
      adapters: await resolveAdapterEntries(config, baseDir),
      dataDir,
      node: {
        member: config.identity.member ?? '',
        store: { headSeq: () => undefined, rangeBySeq: async () => [], getMessage: async () => undefined },
        publish: () => Promise.reject(new Error('a checked adapter host never publishes')),
      },
    });
    return [];
  } catch (error) {
    const entry = (error as { details?: { entry?: unknown } }).details?.entry;
    return [
      problemOf(
        error,
        typeof entry === 'number' ? `/adapters/${entry}` : '/adapters',
        'ADAPTER_CONFIG_INVALID',
      ),
    ];
  }
}

/**
 * settlement.md#following-the-vault: each `pools[].vault.fromBlock` is a block of a chain the node
 * reads (a `chains[]` entry) and, with `readChains`, not above that chain's head (read once per chain).
 */
async function checkVaultStarts(
  config: NodeConfig,
  baseDir: string,
  readChains: boolean,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const heads = new Map<string, Promise<bigint>>();
  for (const [i, pool] of (config.pools ?? []).entries()) {
    if (pool.vault === undefined) continue;
    const { chain, fromBlock } = pool.vault;
    const index = (config.chains ?? []).findIndex((c) => c.chain === chain);
    if (index < 0) {
      problems.push({
        code: 'CONFIG_INVALID',
        field: `/pools/${i}/vault/chain`,
        message: `no chains[] entry for ${chain}: the node follows the pool's vault through it; add {"chain": "${chain}", "rpcUrl" or "rpcUrlFile": …} to chains`,
      });
      continue;
    }
    if (!readChains) continue;
    let head = heads.get(chain);
    if (head === undefined) {
      head = (async () => {
        const { chainRpcUrl } = await import('../config/index.js');
        const url = await chainRpcUrl(config.chains![index]!, baseDir);
        if (url === undefined) throw new Error(`chains[${index}] has no RPC URL`);
        const { createPublicClient, http } = await import('viem');
        return createPublicClient({
          transport: http(url, { retryCount: 0, timeout: 10_000 }),
        }).getBlockNumber({
          cacheTime: 0,
        });
      })();
      heads.set(chain, head);
    }
    try {
      const h = await head;
      if (BigInt(fromBlock) > h)
        problems.push({
          code: 'CONFIG_BAD_VALUE',
          field: `/pools/${i}/vault/fromBlock`,
          message: `pools[${i}].vault.fromBlock ${fromBlock} is above the head of ${chain} (block ${h}); expected at most ${h} (the vault's deployment block)`,
        });
    } catch (error) {
      problems.push({
        code: 'VAULT_RPC_UNAVAILABLE',
        field: `/chains/${index}`,
        message: `cannot read the head of ${chain} to check pools[${i}].vault.fromBlock (${String((error as Error).message ?? error).split('\n')[0]})`,
      });
    }
  }
  return problems;
}

async function checkStore(dataDir: string): Promise<ConfigProblem[]> {
  const dir = path.join(dataDir, 'store');
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (!exists) return [];
  const { openStore } = await import('../store/index.js');
  try {
    await (await openStore(dir)).close();
    return [];
  } catch (error) {
    const e = error as { code?: string; message?: string; detail?: string };
    return [
      {
        code: e.code ?? 'STORE_OPEN_FAILED',
        field: '/dataDir',
        message: `${e.message ?? String(error)}${e.detail === undefined ? '' : ` (${e.detail})`}`,
      },
    ];
  }
}

/**
 * Every problem of a schema-valid node config the node would otherwise meet only while starting (a
 * port in use, an unreadable key, an adapter that refuses its config …), in config order. Empty
 * when the node can start.
 */
export async function checkNodeConfig(p: CheckNodeConfigParameters): Promise<ConfigProblem[]> {
  const { config, baseDir } = p;
  const problems: ConfigProblem[] = [];
  problems.push(...(await checkKeyFile(config, baseDir)));
  const dataDir = path.resolve(baseDir, config.dataDir);
  const dataDirExists = await stat(dataDir).then(
    () => true,
    () => false,
  );
  if (dataDirExists) {
    try {
      await checkDataDir(dataDir);
    } catch (error) {
      problems.push(problemOf(error, '/dataDir', 'CONFIG_BAD_VALUE'));
    }
  }
  if (config.http?.enabled !== false && config.http?.tokenFile !== undefined) {
    try {
      await readToken(path.resolve(baseDir, config.http.tokenFile));
    } catch (error) {
      problems.push(problemOf(error, '/http/tokenFile', 'CONFIG_KEY_UNREADABLE'));
    }
  }
  try {
    const { contractMembersFromConfig } = await import('../config/index.js');
    await contractMembersFromConfig(config, baseDir);
  } catch (error) {
    problems.push(problemOf(error, (error as { field?: string }).field ?? '/chains', 'CONFIG_INVALID'));
  }
  problems.push(...(await checkListenAddresses(config)));
  problems.push(...(await checkAdapters(config, baseDir, dataDir)));
  problems.push(...(await checkVaultStarts(config, baseDir, p.readChains === true)));
  if (p.openStore === true && dataDirExists && problems.every((x) => x.field !== '/dataDir'))
    problems.push(...(await checkStore(dataDir)));
  return problems;
}
