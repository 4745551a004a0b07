/**
 * The node-level ops of the conformance harness (spec/v1/conformance.md#node-level): `nodeStart`
 * starts one real reference node in this process — listening on 127.0.0.1 TCP, a fresh store in a
 * temporary folder, IP-colocation scoring off (every peer of the runner is on loopback) — and
 * `nodeStop` stops it and removes its folder. At most one node runs at a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAddress } from '@sfr/schemas';
import type { Hex } from '../envelope/index.js';
import { createNode, type SfrNode } from '../node/index.js';
import { createContractSignatures } from '../validation/contractSignatures.js';
import { HarnessOpError } from './harnessOpError.js';

let running: { node: SfrNode; dir: string } | undefined;

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(message: string): never {
  throw new HarnessOpError('HARNESS_BAD_REQUEST', message);
}

/** `nodeStart {memberKey, members, contractMembers?, time?, maxMessageBytes?}` → `{peerId, multiaddrs}`. */
export async function startNodeOp(req: Record<string, unknown>): Promise<Record<string, unknown>> {
  const memberKey = req['memberKey'];
  if (typeof memberKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(memberKey))
    bad('"memberKey" must be a 32-byte hex private key');
  const members = req['members'];
  if (!Array.isArray(members) || !members.every(isAddress)) bad('"members" must be an array of addresses');
  const contractMembers = req['contractMembers'] ?? [];
  if (!Array.isArray(contractMembers) || !contractMembers.every(isAddress))
    bad('"contractMembers" must be an array of addresses');
  const time = req['time'];
  if (time !== undefined && (!isObject(time) || !isInteger(time['skewMs']) || !isInteger(time['maxAgeMs'])))
    bad('"time" must be {skewMs, maxAgeMs} (non-negative integers)');
  const maxMessageBytes = req['maxMessageBytes'];
  if (maxMessageBytes !== undefined && !(isInteger(maxMessageBytes) && maxMessageBytes > 0))
    bad('"maxMessageBytes" must be a positive integer');

  await stopNodeOp();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sfr-harness-node-'));
  try {
    const node = await createNode({
      dataDir: dir,
      memberKey: memberKey as Hex,
      members: [...members, ...contractMembers],
      // Contract (ERC-1271) members on no chain this node reaches: their envelopes are unverifiable here.
      ...(contractMembers.length === 0
        ? {}
        : {
            contractMembers: createContractSignatures(new Map(contractMembers.map((a) => [a, undefined]))),
          }),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      gossip: {
        score: { ipColocationWeight: 0 },
        ...(maxMessageBytes === undefined ? {} : { maxMessageBytes: maxMessageBytes as number }),
      },
      ...(time === undefined
        ? {}
        : { time: { skewMs: time['skewMs'] as number, maxAgeMs: time['maxAgeMs'] as number } }),
    });
    await node.start();
    running = { node, dir };
    const multiaddrs = node
      .multiaddrs()
      .map((a) => (a.endsWith(`/p2p/${node.peerId}`) ? a : `${a}/p2p/${node.peerId}`));
    return { peerId: node.peerId, multiaddrs };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `nodeStop {}` → `{}`; stopping when no node runs is not an error. */
export async function stopNodeOp(): Promise<Record<string, unknown>> {
  const current = running;
  running = undefined;
  if (current !== undefined) {
    await current.node.stop();
    await rm(current.dir, { recursive: true, force: true });
  }
  return {};
}
