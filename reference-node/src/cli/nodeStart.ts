import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { type NodeConfig, registeredCodeOf, type SubmitResponse } from '@sfr/schemas';
import { type Api, apiNodeOf, createApi, type IdempotencyStore, openIdempotencyStore } from '../api/index.js';
import {
  ConfigError,
  contractMembersFromConfig,
  type LoadConfigResult,
  loadConfig,
  logEffectiveConfig,
  multisigSignerFromConfig,
} from '../config/index.js';
import { attachContagion } from '../contagion/index.js';
import { EnvelopeError, toChecksumAddress } from '../envelope/index.js';
import { type AdapterHost, startAdapterHostFromConfig } from '../hosting/index.js';
import {
  isMultisigSigner,
  KeyError,
  loadMemberSigner,
  loadSendingAccount,
  openRotationKey,
  rotateMemberKey,
} from '../keys/index.js';
import { attachLiveness } from '../liveness/index.js';
import { componentLogger, createLogger, type Logger, type LogLevel, setLogLevel } from '../logging/index.js';
import { collectMetrics, createMetrics, setMetricSources } from '../metrics/index.js';
import { createNode, type SfrNode } from '../node/index.js';
import { attachPools, samplePoolMetrics } from '../poolsNode/index.js';
import { checkDataDir, checkNodeConfig, readToken } from './checkNodeConfig.js';
import { CliError } from './cliError.js';
import { readVersion } from './version.js';

/** File (in the data dir) holding the generated API token when the config names no `http.tokenFile`. */
export const GENERATED_TOKEN_FILE = 'http.token';

export interface NodeStartParameters {
  readonly config?: string;
  /** Dotted setting path → raw value (from flags); precedence over env and file. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** How each flag was spelled, by setting path (for error messages). */
  readonly flagNames?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningNode {
  readonly node: SfrNode;
  readonly api: Api | undefined;
  readonly apiUrl: string | undefined;
  readonly logger: Logger;
  /** The adapter host when the config lists `adapters` (started after the node). */
  readonly adapters: AdapterHost | undefined;
  /**
   * Re-reads the config (SIGHUP, node.md#configuration) and applies what changes without a restart:
   * `network.members`, `webhooks` (secrets re-read) and `logging.level`. A config that fails to load
   * or a webhook secret that cannot be read changes nothing (throws `CliError`). Resolves to the
   * settings applied and the changed ones that need a restart.
   */
  reload(): Promise<{ readonly applied: string[]; readonly needRestart: string[] }>;
  stop(): Promise<void>;
}

/**
 * Reads the generated token, creating it on first start. A file that is not a regular file or is
 * open to others is refused like a configured one; one with no valid token is replaced by a new
 * file created with mode 0600 and renamed over it (rewriting in place kept the old mode).
 */
async function generatedToken(dataDir: string): Promise<{ token: string; file: string }> {
  const file = path.join(dataDir, GENERATED_TOKEN_FILE);
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (exists) {
    try {
      return { token: await readToken(file), file };
    } catch (error) {
      if (!(error as Error).message.includes('must hold one token')) throw error;
    }
  }
  const token = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  const h = await open(tmp, 'wx', 0o600);
  try {
    await h.writeFile(`${token}\n`);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  return { token, file };
}

function withPeer(addr: string, peerId: string): string {
  return addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`;
}

/**
 * Where to dial the other members (p2p.md#peering): every listed address of every member but the
 * node's own, with `/p2p/<peerId>` when the entry names its peer id. A consortium's one shared list
 * needs no peer ids: a peer is learned when its address answers and bound by its announcement.
 */
function memberAddressesOf(config: NodeConfig, self: string): string[] {
  return (config.network.members ?? [])
    .filter((m) => m.member.toLowerCase() !== self.toLowerCase())
    .flatMap((m) => (m.addresses ?? []).map((a) => (m.peerId === undefined ? a : withPeer(a, m.peerId))));
}

/** Top-level settings (and `network.*`) whose change a reload cannot apply. */
function needRestart(before: NodeConfig, after: NodeConfig): string[] {
  const was: Record<string, unknown> = { ...before };
  const is: Record<string, unknown> = { ...after };
  const out: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const k of new Set([...Object.keys(was), ...Object.keys(is)])) {
    if (k === 'webhooks' || k === 'logging' || k === 'network') continue;
    if (!same(was[k], is[k])) out.push(k);
  }
  const { members: _a, ...netBefore } = before.network;
  const { members: _b, ...netAfter } = after.network;
  for (const k of new Set([...Object.keys(netBefore), ...Object.keys(netAfter)]))
    if (!same((netBefore as Record<string, unknown>)[k], (netAfter as Record<string, unknown>)[k]))
      out.push(`network.${k}`);
  // Contract members are checked through clients made at start (node.md#contract-members).
  const contracts = (c: NodeConfig) =>
    (c.network.members ?? []).flatMap((m) =>
      m.contract === undefined ? [] : [[m.member.toLowerCase(), m.contract]],
    );
  if (!same(contracts(before), contracts(after))) out.push('network.members[].contract');
  const { level: _c, ...logBefore } = before.logging ?? {};
  const { level: _d, ...logAfter } = after.logging ?? {};
  if (!same(logBefore, logAfter)) out.push('logging');
  return out;
}

/**
 * `sfr node start`: loads and validates the config (flag > env > file > default), logs it redacted,
 * then starts the node (E1's `createNode`) and the HTTP API. Resolves once both are up.
 */
export async function startNodeFromConfig(p: NodeStartParameters): Promise<RunningNode> {
  const load = async (): Promise<LoadConfigResult & { ok: true }> => {
    const loaded: LoadConfigResult = await loadConfig({
      ...(p.config === undefined ? {} : { file: p.config }),
      ...(p.flags === undefined ? {} : { flags: p.flags }),
      ...(p.flagNames === undefined ? {} : { flagNames: p.flagNames }),
      ...(p.env === undefined ? {} : { env: p.env }),
    });
    if (!loaded.ok) throw new CliError(loaded.error.code, loaded.error.message.replace(/^[A-Z_]+: /, ''));
    return loaded;
  };
  const loaded = await load();
  const config = loaded.config as unknown as NodeConfig;
  const resolve = (f: string) => path.resolve(loaded.baseDir, f);
  // node.md#configuration: what the config points at (key, token, ports, adapters) is checked
  // before the node opens its store or joins the network, the way `sfr config check` reports it.
  const [problem] = await checkNodeConfig({ config, baseDir: loaded.baseDir });
  if (problem !== undefined) throw new CliError(registeredCodeOf(problem, 'CONFIG_INVALID'), problem.message);
  const logger = createLogger({ level: (config.logging?.level ?? 'info') as LogLevel });
  logEffectiveConfig(componentLogger(logger, 'config'), loaded);

  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await checkDataDir(dataDir);
  // The member key in any form node.md#keys allows (keystore, plaintext, remote signer), or a multisig
  // reference: no key, the owners co-sign proposals (node.md#multisig-members).
  const signer = await loadMemberSigner({
    identity: config.identity,
    baseDir: loaded.baseDir,
    multisig: (reference) => multisigSignerFromConfig(config, reference, loaded.baseDir, dataDir),
  }).catch((error: unknown) => {
    if (error instanceof EnvelopeError || error instanceof KeyError || error instanceof ConfigError)
      throw new CliError(error.code, error.message.split('\n').join(' '));
    throw new CliError(
      'CONFIG_KEY_UNREADABLE',
      `cannot read identity.keyFile (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  });
  if (signer.key.toLowerCase() !== signer.member.toLowerCase()) {
    componentLogger(logger, 'keys').info(
      { member: signer.member, key: signer.key },
      'signing with a rotated key',
    );
  }
  const http = config.http ?? {};
  const token =
    http.enabled === false
      ? undefined
      : http.tokenFile !== undefined
        ? { token: await readToken(resolve(http.tokenFile)), file: resolve(http.tokenFile) }
        : await generatedToken(dataDir);

  const metrics = createMetrics();
  const members = config.network.members ?? [];
  // Contract (ERC-1271) members, checked through the chains[] RPC (node.md#contract-members).
  const self = isMultisigSigner(signer)
    ? { member: signer.member, contract: { chain: signer.chain } }
    : undefined;
  const contractMembers = await contractMembersFromConfig(
    { ...config, ...(self === undefined ? {} : { self }) },
    loaded.baseDir,
  ).catch((error: unknown) => {
    const e = error as { message?: string };
    throw new CliError(
      registeredCodeOf(error, 'CONFIG_INVALID'),
      e.message?.replace(/^[A-Z_]+: /, '') ?? String(error),
    );
  });
  const scoring = config.gossip?.scoring;
  const node = await createNode({
    dataDir,
    signer,
    members: members.map((m) => m.member),
    ...(contractMembers === undefined ? {} : { contractMembers }),
    listen: config.network.listen,
    ...(config.network.announce === undefined ? {} : { announce: config.network.announce }),
    ...(config.network.bootstrap === undefined ? {} : { bootstrap: config.network.bootstrap }),
    directPeers: members.flatMap((m) =>
      m.peerId === undefined ? [] : (m.addresses ?? []).map((a) => withPeer(a, m.peerId!)),
    ),
    memberAddresses: memberAddressesOf(config, signer.member),
    pools: (config.pools ?? []).map((pool) => pool.poolId),
    gossip: {
      ...(config.gossip?.maxMessageBytes === undefined
        ? {}
        : { maxMessageBytes: config.gossip.maxMessageBytes }),
      ...(config.limits?.queuePerTopic === undefined ? {} : { queuePerTopic: config.limits.queuePerTopic }),
      issuerBudget: {
        ...(config.limits?.issuerBurst === undefined ? {} : { burst: config.limits.issuerBurst }),
        ...(config.limits?.issuerPerSecond === undefined ? {} : { perSecond: config.limits.issuerPerSecond }),
      },
      ...(scoring === undefined
        ? {}
        : {
            score: {
              ...(scoring.ipColocationFactorWeight === undefined
                ? {}
                : { ipColocationWeight: scoring.ipColocationFactorWeight }),
              ...(scoring.ipColocationFactorWhitelist === undefined
                ? {}
                : { ipColocationWhitelist: scoring.ipColocationFactorWhitelist }),
            },
          }),
    },
    time: {
      ...(config.time?.skewMs === undefined ? {} : { skewMs: config.time.skewMs }),
      ...(config.time?.maxAgeMs === undefined ? {} : { maxAgeMs: config.time.maxAgeMs }),
    },
    ...(config.liveness?.keepHeartbeats === undefined
      ? {}
      : { keepHeartbeats: config.liveness.keepHeartbeats }),
    logger,
    metrics,
  });
  await node.start().catch(async (error: unknown) => {
    await node.stop().catch(() => undefined);
    // A p2p port checked free before the start and taken since: libp2p's message ends in a colon.
    const inUse = /EADDRINUSE: address already in use (\S+)/.exec(String((error as Error).message));
    throw inUse === null
      ? error
      : new CliError(
          'CONFIG_ADDRESS_IN_USE',
          `network.listen ${inUse[1]} (libp2p) is in use by another process (another node?); stop it or choose another port`,
        );
  });
  const adapters = await startAdapterHostFromConfig({
    config,
    baseDir: loaded.baseDir,
    dataDir,
    node,
    logger,
  }).catch(async (error: unknown) => {
    await node.stop();
    const e = error as { message?: string };
    throw new CliError(registeredCodeOf(error, 'ADAPTER_CONFIG_INVALID'), e.message ?? String(error));
  });
  // Contagion response (spec/v1/contagion.md): webhooks, protective actions; stopped by node.stop().
  const contagion = await attachContagion({
    node,
    config,
    baseDir: loaded.baseDir,
    dataDir,
    logger,
    registry: metrics.registry,
    adapterExposure: adapters?.exposures() ?? [],
  }).catch(async (error: unknown) => {
    await adapters?.stop();
    await node.stop();
    const e = error as { message?: string };
    throw new CliError(
      registeredCodeOf(error, 'ALERT_WEBHOOK_SECRET_UNREADABLE'),
      e.message ?? String(error),
    );
  });
  // Shared insurance pools (spec/v1/pools.md): claims, automatic attestation through the hosted
  // adapters, decisions; stopped by node.stop().
  // The account vault transactions are paid from (settlement.md#sending).
  const sendingAccount = await loadSendingAccount({
    identity: config.identity,
    signer,
    contractMember:
      isMultisigSigner(signer) ||
      (config.network.members ?? []).some(
        (m) => m.contract !== undefined && m.member.toLowerCase() === signer.member.toLowerCase(),
      ),
    baseDir: loaded.baseDir,
  }).catch(async (error: unknown) => {
    await adapters?.stop();
    await node.stop();
    if (error instanceof EnvelopeError || error instanceof KeyError)
      throw new CliError(error.code, `identity.sender: ${error.message.split('\n').join(' ')}`);
    throw new CliError(
      'CONFIG_KEY_UNREADABLE',
      `cannot read identity.sender.keyFile (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  });
  const pools = await attachPools({
    node,
    config,
    baseDir: loaded.baseDir,
    dataDir,
    sending: { member: signer.member, account: sendingAccount },
    ...(contractMembers === undefined ? {} : { contracts: contractMembers }),
    ...(adapters === undefined
      ? {}
      : {
          verifyEvidence: (ref: unknown) => adapters.verifyEvidence(ref),
          deriveLoss: (ref: unknown) => adapters.deriveLoss(ref),
        }),
    logger,
  }).catch(async (error: unknown) => {
    await adapters?.stop();
    await node.stop();
    const e = error as { message?: string };
    throw new CliError(registeredCodeOf(error, 'CONFIG_INVALID'), e.message ?? String(error));
  });
  // Adapters and pools are sampled at each scrape of /metrics (issue 11 item 5).
  setMetricSources(metrics, {
    ...(adapters === undefined ? {} : { adapters: () => adapters.status() }),
    pools: () => samplePoolMetrics(pools),
  });
  // Member liveness (node.md#liveness): announces the node, signs heartbeats, tracks the members';
  // its notices go out like the responder's (webhooks, /v1/notices). Stopped by node.stop().
  const capabilities = [
    'relay',
    'sync',
    'contagion',
    ...(config.pools === undefined || config.pools.length === 0 ? [] : (['pools'] as const)),
    ...(adapters === undefined ? [] : (['adapter'] as const)),
    ...(adapters === undefined || pools === undefined ? [] : (['attest'] as const)),
    ...(token === undefined ? [] : (['http_api'] as const)),
  ] as const;
  const liveness = await attachLiveness({
    node,
    protocol: config.identity.protocol,
    announces: !isMultisigSigner(signer),
    capabilities: [...capabilities],
    ...(config.liveness?.heartbeatIntervalMs === undefined
      ? {}
      : { intervalMs: config.liveness.heartbeatIntervalMs }),
    ...(config.liveness?.missedHeartbeats === undefined
      ? {}
      : { missedHeartbeats: config.liveness.missedHeartbeats }),
    notify: (n) => contagion.push(n),
    metrics,
    logger,
  });
  const startedAt = Date.now();
  const version = readVersion();
  const log = componentLogger(logger, 'node');

  let api: Api | undefined;
  let apiUrl: string | undefined;
  let idempotency: IdempotencyStore | undefined;
  if (token !== undefined) {
    // api.md#idempotency: keys survive a crash, so a retry of an answered request never signs again.
    idempotency = await openIdempotencyStore(path.join(dataDir, 'idempotency'));
    api = await createApi({
      idempotency,
      node: apiNodeOf(node, {
        protocol: config.identity.protocol,
        version,
        startedAt,
        ...(config.time?.skewMs === undefined ? {} : { skewMs: config.time.skewMs }),
        ...(adapters === undefined ? {} : { healthChecks: () => adapters.healthChecks() }),
      }),
      token: token.token,
      version,
      host: http.host ?? '127.0.0.1',
      port: http.port ?? 7410,
      ...(config.limits?.httpBodyBytes === undefined ? {} : { bodyLimit: config.limits.httpBodyBytes }),
      ...(http.rateLimit === undefined ? {} : { rateLimit: http.rateLimit }),
      ...(http.readAuth === undefined ? {} : { readAuth: http.readAuth }),
      ...(http.streams === undefined ? {} : { streams: http.streams }),
      ...(http.timeouts === undefined ? {} : { timeouts: http.timeouts }),
      ...(http.maxConnections === undefined ? {} : { maxConnections: http.maxConnections }),
      logger,
      metrics,
      pools,
      notices: contagion,
      members: liveness,
      ...(isMultisigSigner(signer) ? { proposals: signer } : {}),
      ...(signer.rotateTo === undefined
        ? {}
        : {
            keys: {
              // node.md#rotation: the new key is read from a file on this host, never sent over HTTP.
              async rotate(request) {
                const newKey = await openRotationKey({
                  keyFile: request.keyFile,
                  passphrase:
                    request.passwordFile !== undefined
                      ? { passwordFile: request.passwordFile }
                      : {
                          ...(config.identity.passwordFile === undefined
                            ? {}
                            : { passwordFile: resolve(config.identity.passwordFile) }),
                          passwordEnv: config.identity.passwordEnv,
                        },
                });
                const r = await rotateMemberKey({
                  node,
                  newKey,
                  protocol: config.identity.protocol,
                  capabilities: [...capabilities],
                });
                componentLogger(logger, 'keys').warn(
                  { member: node.member, newKey: r.newKey, effectiveFromSeq: r.effectiveFromSeq },
                  `member key rotated: point identity.keyFile at ${request.keyFile} before the next start`,
                );
                return {
                  messageId: r.announcement.messageId,
                  seq: r.announcement.seq,
                  envelope: r.announcement.envelope as unknown as SubmitResponse['envelope'],
                };
              },
            },
          }),
    });
    apiUrl = await api.listen().catch(async (error: unknown) => {
      // Checked free before the start, taken since: nothing may keep running without its API.
      await api?.close().catch(() => undefined);
      await idempotency?.close();
      await adapters?.stop();
      await node.stop();
      const e = error as NodeJS.ErrnoException;
      throw e.code === 'EADDRINUSE'
        ? new CliError(
            'CONFIG_ADDRESS_IN_USE',
            `http.port (the HTTP API) ${http.host ?? '127.0.0.1'}:${http.port ?? 7410} is in use by another process (another node?); stop it or choose another port`,
          )
        : error;
    });
  }

  let metricsServer: Server | undefined;
  if (config.metrics?.enabled === true) {
    metricsServer = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      // The same collection as the API's /metrics: gauges sampled on demand are refreshed here too.
      collectMetrics(metrics, node.store).then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((ok) =>
      metricsServer!.listen(config.metrics?.port ?? 9464, config.metrics?.host ?? '127.0.0.1', ok),
    );
  }

  log.info(
    {
      peerId: node.peerId,
      member: toChecksumAddress(node.member),
      multiaddrs: node.multiaddrs(),
      apiUrl: apiUrl ?? null,
      tokenFile: token?.file ?? null,
    },
    'node ready',
  );

  let stopped = false;
  let current = config;
  return {
    node,
    api,
    apiUrl,
    logger,
    adapters,
    async reload() {
      const next = await load();
      const c = next.config as unknown as NodeConfig;
      const applied: string[] = [];
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      // Webhooks first: their secrets are the part that can still fail, and a failure changes nothing.
      await contagion.reloadWebhooks(c.webhooks ?? [], next.baseDir).catch((error: unknown) => {
        const e = error as { message?: string };
        throw new CliError(
          registeredCodeOf(error, 'ALERT_WEBHOOK_SECRET_UNREADABLE'),
          e.message ?? String(error),
        );
      });
      if (!same(c.webhooks ?? [], current.webhooks ?? [])) applied.push('webhooks');
      if (!same(c.network.members ?? [], current.network.members ?? [])) {
        node.setMembers(
          (c.network.members ?? []).map((m) => m.member),
          memberAddressesOf(c, signer.member),
        );
        liveness.membersChanged();
        applied.push('network.members');
      }
      const level = (c.logging?.level ?? 'info') as LogLevel;
      if (level !== (current.logging?.level ?? 'info')) {
        setLogLevel(logger, level);
        applied.push('logging.level');
      }
      const pending = needRestart(current, c);
      // What the node now runs by: the reloadable parts of the new config, the rest of the old.
      current = {
        ...current,
        network: { ...current.network, members: c.network.members ?? [] },
        webhooks: c.webhooks ?? [],
        logging: { ...current.logging, level },
      };
      return { applied, needRestart: pending };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await adapters?.stop();
      await api?.close();
      await idempotency?.close();
      if (metricsServer !== undefined) await new Promise<void>((ok) => metricsServer!.close(() => ok()));
      await node.stop();
      log.info({}, 'node stopped');
    },
  };
}
