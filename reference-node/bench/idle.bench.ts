// Idle-node CPU benchmark (issue 13 Deliver 3: a 45-process network must fit on 2 cores). Starts
// BENCH_IDLE_NODES node processes (`sfr node start`, the e2e harness's process network) on loopback,
// one after another, and reads each one's CPU time from /proc/<pid>/stat: at "node ready" (start-up CPU)
// and over BENCH_IDLE_SECONDS of idling after BENCH_IDLE_SETTLE_SECONDS (no traffic but what the
// nodes send themselves: heartbeats, pings, catch-up rounds). CPU time, not wall time: the figures stay
// honest on a busy machine. Same-run baselines: a bare `node` process idling beside the nodes for the
// same window, and `node -e 0`'s CPU to exit. BENCH_IDLE_MEMBERS adds members without a node (the
// 45-member network's liveness tracking and gauges). BENCH_IDLE_PROFILE=dir writes a --cpu-prof of
// every node (the profiler itself costs CPU: read its breakdown, not its totals). BENCH_, not SFR_: the
// node refuses SFR_* variables it does not know, and the node processes inherit this environment.
// Run: npm run bench -- idle   (or: npx tsx reference-node/bench/idle.bench.ts)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createProcNetwork } from '../test/e2e/processNetwork.js';

const NODES = Number(process.env['BENCH_IDLE_NODES'] ?? 5);
const EXTRA_MEMBERS = Number(process.env['BENCH_IDLE_MEMBERS'] ?? 0);
const SETTLE_S = Number(process.env['BENCH_IDLE_SETTLE_SECONDS'] ?? 15);
const MEASURE_S = Number(process.env['BENCH_IDLE_SECONDS'] ?? 60);
const PROFILE_DIR = process.env['BENCH_IDLE_PROFILE'];

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (sysconf(_SC_CLK_TCK), 100 on Linux). */
const CLK_TCK = 100;

/** User + system CPU seconds of a live process. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (xs: readonly number[], digits = 2): string => xs.map((x) => x.toFixed(digits)).join(' ');

/** Runs `node -e 0` to its exit (its CPU is read from this process's reaped children, `childrenCpu`). */
function runBare(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** User + system CPU seconds of this process's waited-for children (/proc/self/stat cutime, cstime). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

async function main(): Promise<void> {
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `${NODES} nodes, ${NODES + EXTRA_MEMBERS} members, settle ${SETTLE_S} s, measure ${MEASURE_S} s; load average ${load()}`,
  );
  let exec: string[] = [];
  if (PROFILE_DIR !== undefined) {
    await mkdir(PROFILE_DIR, { recursive: true });
    const wrapper = path.join(PROFILE_DIR, 'node-cpu-prof.sh');
    // --cpu-prof is not allowed in NODE_OPTIONS: the node processes run through this wrapper instead.
    await writeFile(
      wrapper,
      `#!/bin/sh\nn="$1"; shift\nexec "$n" --cpu-prof --cpu-prof-dir=${JSON.stringify(PROFILE_DIR)} "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    exec = [wrapper];
  }
  // Baseline: `node -e 0` to exit, 5 times, CPU from this process's reaped children.
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = childrenCpu();
    await runBare();
    bare.push(childrenCpu() - c0);
  }
  const net = await createProcNetwork(NODES, {
    extraMembers: Array.from(
      { length: EXTRA_MEMBERS },
      (_, i) => `0x${(i + 1).toString(16).padStart(40, 'b')}`,
    ),
    placement: () => ({ host: '127.0.0.1', exec }),
  });
  const idler = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  try {
    const startup: number[] = [];
    for (let i = 0; i < NODES; i++) {
      await net.start(i);
      startup.push(cpuSeconds(net.nodes[i]!.proc!.pid!));
    }
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const pids = [...net.nodes.map((n) => n.proc!.pid!), idler.pid!];
    const before = pids.map(cpuSeconds);
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const used = pids.map((pid, i) => cpuSeconds(pid) - before[i]!);
    const pct = used.map((s) => (100 * s) / wall);
    const nodePct = pct.slice(0, NODES);
    console.log(`| figure | per node | mean | baseline |`);
    console.log(`| --- | --- | ---: | ---: |`);
    console.log(
      `| start-up CPU s to "node ready" | ${fmt(startup)} | ${mean(startup).toFixed(2)} | ${mean(bare).toFixed(2)} (node -e 0) |`,
    );
    console.log(
      `| idle CPU % of a core over ${wall.toFixed(1)} s | ${fmt(nodePct)} | ${mean(nodePct).toFixed(2)} | ${pct[NODES]!.toFixed(2)} (bare node idling) |`,
    );
    console.log(`load average at the end ${load()}`);
    const dir = process.env['BENCH_JSON_DIR'];
    if (dir !== undefined) {
      await writeFile(
        path.join(dir, 'idle.json'),
        JSON.stringify({
          nodes: NODES,
          members: NODES + EXTRA_MEMBERS,
          startupCpuSeconds: { perNode: startup, mean: mean(startup), baseline: mean(bare) },
          idleCpuPercent: {
            perNode: nodePct,
            mean: mean(nodePct),
            baseline: pct[NODES],
            windowSeconds: wall,
          },
        }),
      );
    }
  } finally {
    idler.kill();
    await net.stop();
  }
}

await main();
