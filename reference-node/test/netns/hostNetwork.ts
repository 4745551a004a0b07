/**
 * Hosts on one machine (issue 13 finding 10): each host is a Linux network namespace with its own address
 * on a veth pair plugged into one bridge in the root namespace (iproute2; root needed). The test creates
 * and removes them itself; a run killed before its cleanup leaves namespaces named after its pid, and the
 * next `createHostNetwork` removes every such set whose pid is gone.
 *
 * Addresses of a run on subnet 10.S.0.0/16 (S picked free among 100…199), host j = index + 1:
 *   10.S.0.j    the host itself (eth0 inside its namespace): its processes listen here
 *   10.S.1.j    the host's public address as others dial it: the link proxy listens here (root namespace)
 *   10.S.2.j    the host's address as others see it: the link proxy connects from here, so a node sees
 *               one distinct address per peer HOST, as on a real network (IP-colocation scoring applies)
 *   10.S.255.254  the root namespace on the bridge (the test reaches the hosts' HTTP APIs from here)
 */
import { execFileSync } from 'node:child_process';

/** Names start with this, then the owner's pid: `sfrn<pid>h<j>` (namespace), `sfrb<pid>` (bridge). */
const PREFIX = 'sfrn';
const BRIDGE_PREFIX = 'sfrb';
/** One /24 of each kind: at most 250 hosts. */
const MAX_HOSTS = 250;

export interface Host {
  readonly index: number;
  readonly ns: string;
  /** Where the host's processes listen (inside its namespace). */
  readonly addr: string;
  /** Where others dial it (the link proxy, root namespace). */
  readonly publicAddr: string;
  /** Where its connections appear to come from at the other end (the link proxy's source address). */
  readonly sourceAddr: string;
  /** Command prefix that runs a program inside the host's namespace. */
  readonly exec: readonly string[];
}

export interface HostNetwork {
  readonly subnet: string;
  readonly bridge: string;
  readonly hosts: readonly Host[];
  /** Host index of an address seen by the link proxy (a host's own address), else undefined. */
  hostOf(address: string): number | undefined;
  /** Removes the namespaces and the bridge; safe to call twice. */
  destroy(): void;
}

function ip(args: readonly string[], input?: string): string {
  return execFileSync('ip', [...args], {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input === undefined ? {} : { input }),
  });
}

function tryIp(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // already gone
  }
}

/** Whether this process can create network namespaces (root, iproute2, a kernel that allows it). */
export function netnsAvailable(): boolean {
  const probe = `${PREFIX}${process.pid}probe`;
  try {
    ip(['netns', 'add', probe]);
    ip(['netns', 'del', probe]);
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the namespaces and bridges of runs whose process is gone (killed before cleaning up), or of
 * `ownerPid` itself. Returns what it removed.
 */
export function removeStale(ownerPid?: number): string[] {
  const removed: string[] = [];
  const ownerOf = (name: string, prefix: string): number | undefined => {
    const m = new RegExp(`^${prefix}(\\d+)`).exec(name);
    return m === null ? undefined : Number(m[1]);
  };
  const stale = (pid: number | undefined): boolean =>
    pid !== undefined && (pid === ownerPid || (pid !== process.pid && !pidAlive(pid)));
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(PREFIX) && stale(ownerOf(name, PREFIX))) {
      // Processes a killed run left in the namespace (its nodes, sybils) would keep it alive after `del`.
      let pids: number[] = [];
      try {
        pids = ip(['netns', 'pids', name]).split('\n').filter(Boolean).map(Number);
      } catch {
        // namespace already gone
      }
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      tryIp(['netns', 'del', name]);
      removed.push(name);
    }
  }
  for (const line of ip(['-o', 'link', 'show', 'type', 'bridge']).split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name?.startsWith(BRIDGE_PREFIX) && stale(ownerOf(name, BRIDGE_PREFIX))) {
      tryIp(['link', 'del', name]);
      removed.push(name);
    }
  }
  return removed;
}

function freeSubnet(): number {
  const used = new Set<number>();
  for (const m of ip(['-o', '-4', 'addr', 'show']).matchAll(/inet 10\.(\d+)\./g)) used.add(Number(m[1]));
  for (let s = 100; s < 200; s++) if (!used.has(s)) return s;
  throw new Error('no free 10.S.0.0/16 subnet among 10.100 … 10.199');
}

const live = new Set<HostNetwork>();
let exitHookInstalled = false;

/** Creates `n` hosts (namespaces) on one new bridge. Removes stale sets of killed runs first. */
export function createHostNetwork(n: number): HostNetwork {
  if (n < 1 || n > MAX_HOSTS) throw new Error(`hosts: expected 1 … ${MAX_HOSTS}, got ${n}`);
  removeStale();
  const s = freeSubnet();
  const pid = process.pid;
  const bridge = `${BRIDGE_PREFIX}${pid}`;
  const hosts: Host[] = Array.from({ length: n }, (_, index) => {
    const ns = `${PREFIX}${pid}h${index + 1}`;
    return {
      index,
      ns,
      addr: `10.${s}.0.${index + 1}`,
      publicAddr: `10.${s}.1.${index + 1}`,
      sourceAddr: `10.${s}.2.${index + 1}`,
      exec: ['ip', 'netns', 'exec', ns],
    };
  });
  let destroyed = false;
  const net: HostNetwork = {
    subnet: `10.${s}.0.0/16`,
    bridge,
    hosts,
    hostOf(address) {
      const m = /^(?:::ffff:)?10\.(\d+)\.0\.(\d+)$/.exec(address);
      if (m === null || Number(m[1]) !== s) return undefined;
      const j = Number(m[2]);
      return j >= 1 && j <= n ? j - 1 : undefined;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(net);
      for (const h of hosts) tryIp(['netns', 'del', h.ns]);
      tryIp(['link', 'del', bridge]);
    },
  };
  live.add(net);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous cleanup even when the runner exits on an error (namespaces outlive processes otherwise).
    process.once('exit', () => {
      for (const x of [...live]) x.destroy();
    });
  }
  try {
    // veth ends in the root namespace: `sfrv<pid>h<j>` would exceed IFNAMSIZ (15) for large pids.
    const veth = (j: number): string => `sv${pid % 100_000}h${j}`;
    const root: string[] = [
      `link add ${bridge} type bridge`,
      `addr add 10.${s}.255.254/16 dev ${bridge}`,
      `link set ${bridge} up`,
    ];
    for (const h of hosts) {
      const j = h.index + 1;
      root.push(
        `netns add ${h.ns}`,
        `link add ${veth(j)} type veth peer name eth0 netns ${h.ns}`,
        `link set ${veth(j)} master ${bridge} up`,
        `addr add ${h.publicAddr}/16 dev ${bridge}`,
        `addr add ${h.sourceAddr}/16 dev ${bridge}`,
      );
    }
    ip(['-batch', '-'], `${root.join('\n')}\n`);
    for (const h of hosts) {
      ip(['-n', h.ns, '-batch', '-'], `addr add ${h.addr}/16 dev eth0\nlink set eth0 up\nlink set lo up\n`);
    }
  } catch (err) {
    net.destroy();
    throw err;
  }
  return net;
}
