/**
 * `attachPools(params)`: the pool service of `sfr node start`, from the node config — the pools of
 * `config.pools` (with each `charterFile`'s signed charter envelopes, used until gossip or sync
 * brings them), `policy.autoAttest`, evidence re-derived through the hosted adapters — started,
 * and tied to the node's lifecycle: the node's `stop()` stops the service first.
 *
 *   const pools = await attachPools({ node, config, baseDir, verifyEvidence, logger });
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NodeConfig } from '@sfr/schemas';
import type { Address, LocalAccount } from 'viem';
import { chainRpcUrl } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import type { SfrNode } from '../node/index.js';
import type { MessageInput } from '../pools/index.js';
import type { ContractSignatures } from '../validation/contractSignatures.js';
import type { EvidenceVerdict } from './chooseVerdict.js';
import { createFeedRoundsReader } from './createFeedRoundsReader.js';
import { createPoolService, type DeriveLoss, type PoolService } from './createPoolService.js';
import type { SettlementChain } from './createPoolSettlement.js';
import { PoolServiceError } from './poolServiceError.js';

export interface AttachPoolsParameters {
  readonly node: SfrNode;
  readonly config: NodeConfig;
  /** Folder relative paths in the config are resolved against. */
  readonly baseDir: string;
  /** The node's data directory: the vault followers keep their cursors under `<dataDir>/vault`. */
  readonly dataDir?: string;
  /** The adapter host's `verifyEvidence` (routes by chain and emitter); absent: every claim waits for a vote. */
  readonly verifyEvidence?: (ref: unknown) => Promise<EvidenceVerdict>;
  /** The adapter host's `deriveLoss` (same routing); absent: claims that verify wait for a vote. */
  readonly deriveLoss?: DeriveLoss;
  readonly logger?: Logger;
  /** Who sends vault transactions (settlement.md#sending): `sendingAccountOf`'s answer. Absent: nothing is sent. */
  readonly sending?: { readonly member: Address; readonly account: LocalAccount | null };
  /** The node's contract (ERC-1271) members: their vault signatures count through their contracts. */
  readonly contracts?: ContractSignatures;
}

/** Reads a charter file: one signed PoolCharter envelope, or an array of them. */
async function readCharterFile(file: string): Promise<MessageInput[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new PoolServiceError('CONFIG_FILE_UNREADABLE', `cannot read pools[].charterFile ${file}`, {
      cause: error,
      section: 'pools.md#charter',
    });
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => JSON.stringify(v));
}

export async function attachPools(p: AttachPoolsParameters): Promise<PoolService> {
  const pools = [];
  for (const pool of p.config.pools ?? []) {
    pools.push({
      poolId: pool.poolId,
      ...(pool.charterFile === undefined
        ? {}
        : { charterMessages: await readCharterFile(path.resolve(p.baseDir, pool.charterFile)) }),
    });
  }
  // Settlement chains: every chains[] entry with its RPC URL (settlement.md#following-the-vault).
  const chains: SettlementChain[] = [];
  for (const [index, c] of (p.config.chains ?? []).entries()) {
    const rpcUrl = await chainRpcUrl(c, p.baseDir).catch((error: unknown) => {
      throw new PoolServiceError('CONFIG_FILE_UNREADABLE', `cannot read chains[${index}].rpcUrlFile`, {
        cause: error,
        section: 'settlement.md#following-the-vault',
      });
    });
    if (rpcUrl !== undefined)
      chains.push({
        chain: c.chain,
        rpcUrl,
        ...(c.confirmations === undefined ? {} : { confirmations: c.confirmations }),
      });
  }
  const service = createPoolService({
    node: p.node,
    pools,
    ...(p.verifyEvidence === undefined ? {} : { verifyEvidence: p.verifyEvidence }),
    ...(p.deriveLoss === undefined ? {} : { deriveLoss: p.deriveLoss }),
    // Token losses are valued from their feeds' rounds on these chains (pools.md#feed-rounds).
    ...(chains.length === 0 ? {} : { readFeedRounds: createFeedRoundsReader(chains) }),
    ...(p.config.policy?.autoAttest === undefined ? {} : { policy: p.config.policy.autoAttest }),
    ...(p.config.policy?.coSignCharters === undefined
      ? {}
      : { coSignCharters: p.config.policy.coSignCharters }),
    ...(p.config.policy?.coSignNotices === undefined ? {} : { coSignNotices: p.config.policy.coSignNotices }),
    ...(p.logger === undefined ? {} : { logger: p.logger }),
    ...(p.dataDir === undefined || chains.length === 0
      ? {}
      : {
          settlement: {
            chains,
            dir: path.join(p.dataDir, 'vault'),
            fromBlocks: (p.config.pools ?? []).flatMap((pool) =>
              pool.vault === undefined
                ? []
                : [{ poolId: pool.poolId, chain: pool.vault.chain, fromBlock: BigInt(pool.vault.fromBlock) }],
            ),
            ...(p.sending === undefined ? {} : { sending: p.sending }),
            ...(p.contracts === undefined ? {} : { contracts: p.contracts }),
          },
        }),
  });
  await service.start();
  const node = p.node;
  const stopNode = node.stop.bind(node);
  node.stop = async () => {
    await service.stop();
    await stopNode();
  };
  return service;
}
