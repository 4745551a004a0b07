/**
 * Attack 5c (issue 13 finding 5, "SSE slots"): one client without the token opens as many event
 * streams (`/v1/stream`, `/v1/notices`) as the node lets it and holds them; what does another client
 * without the token, and the token holder, get then (api.md Limits rule 2)?
 *
 * Two rounds. In the first the attacker uses one source address, 127.0.0.1, as a naive local client
 * does. In the second it uses every address it wants: all of 127.0.0.0/8 is this host, so a local
 * process can open connections from 127.0.0.2, 127.0.0.3, … and be a new "client address" each time.
 */
import http from 'node:http';
import type { ProcNode } from '../../reference-node/test/e2e/processNetwork.js';
import { type AttackOptions, crashCheck, type Figures, startVictims, tokenOf } from './common.js';

/** Issue 13 finding 5: "one unauthenticated client holding all 64 SSE slots makes both streams answer 503 for everyone". */
const BEFORE = { slotsHeldByOneClient: 64, otherClients: '503 on both streams, with or without the token' };

const STREAMS = ['/v1/stream', '/v1/notices'] as const;
/** The attacker's attempts per source address, and the addresses it uses in its second round. */
const ATTEMPTS_PER_ADDRESS = 24;
const ADDRESSES = 16;

interface Opened {
  readonly status: number;
  readonly code?: string;
  readonly error?: string;
  close(): void;
}

/** Opens an event stream and, when the node grants it, holds it open (reading whatever it sends). */
function openStream(
  node: ProcNode,
  path: string,
  opts: { localAddress?: string; token?: boolean },
): Promise<Opened> {
  return new Promise((resolve) => {
    const req = http.request(`${node.apiUrl}${path}`, {
      agent: false,
      headers: { accept: 'text/event-stream', ...(opts.token === true ? tokenOf(node) : {}) },
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
      timeout: 10_000,
    });
    const close = (): void => {
      req.destroy();
    };
    req.on('response', (res) => {
      req.setTimeout(0);
      if (res.statusCode === 200) {
        res.on('data', () => undefined);
        res.on('error', () => undefined);
        resolve({ status: 200, close });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, ...(code === undefined ? {} : { code }), close });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, error: e.code ?? e.message, close }));
    req.end();
  });
}

/** What one would-be reader gets on each stream: 200, or the status and code of the refusal. */
async function tryBoth(node: ProcNode, opts: { localAddress?: string; token?: boolean }): Promise<Figures> {
  const out: Figures = {};
  for (const path of STREAMS) {
    const s = await openStream(node, path, opts);
    out[path] =
      s.status === 200 ? 200 : s.code === undefined ? (s.error ?? s.status) : `${s.status} ${s.code}`;
    s.close();
  }
  return out;
}

/** The attacker: up to ATTEMPTS_PER_ADDRESS streams from each of `addresses`, both routes in turn, all held. */
async function grab(node: ProcNode, addresses: readonly string[], held: Opened[]): Promise<Figures> {
  let granted = 0;
  let refused = 0;
  const refusals: Record<string, number> = {};
  for (const localAddress of addresses)
    for (let k = 0; k < ATTEMPTS_PER_ADDRESS; k++) {
      const s = await openStream(node, STREAMS[k % STREAMS.length]!, { localAddress });
      if (s.status === 200) {
        held.push(s);
        granted++;
      } else {
        refused++;
        const key = `${s.status} ${s.code ?? s.error ?? ''}`.trim();
        refusals[key] = (refusals[key] ?? 0) + 1;
      }
    }
  return {
    addresses: addresses.length,
    attempts: addresses.length * ATTEMPTS_PER_ADDRESS,
    granted,
    refused,
    refusals,
  };
}

export async function streamSlots(_opts: AttackOptions): Promise<Figures> {
  const net = await startVictims(2);
  const held: Opened[] = [];
  try {
    const victim = net.nodes[0]!;
    // Round 1: one address, as any local process connects by default.
    const oneAddress = await grab(victim, ['127.0.0.1'], held);
    const round1 = {
      attacker: oneAddress,
      otherClientSameAddress: await tryBoth(victim, { localAddress: '127.0.0.1' }),
      otherClientOtherAddress: await tryBoth(victim, { localAddress: '127.0.0.200' }),
      tokenHolder: await tryBoth(victim, { token: true }),
    };
    // Round 2: the same attacker adds source addresses 127.0.0.2 … until no slot is left.
    const more = await grab(
      victim,
      Array.from({ length: ADDRESSES }, (_, i) => `127.0.0.${i + 2}`),
      held,
    );
    const round2 = {
      attacker: { ...more, heldInAll: held.length },
      otherClientOtherAddress: await tryBoth(victim, { localAddress: '127.0.0.201' }),
      tokenHolder: await tryBoth(victim, { token: true }),
    };
    return {
      before: BEFORE,
      after: { oneSourceAddress: round1, manySourceAddresses: round2 },
      node: crashCheck(victim),
    };
  } finally {
    for (const s of held) s.close();
    await net.stop();
  }
}
