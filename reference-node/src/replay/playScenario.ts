/**
 * `playScenario(scenario, options)`: plays a crisis replay (spec/v1/node.md#crisis-replays) — the
 * chain, the network of node processes, the pool, the steps — then waits until every node reached
 * the expected outcome or the time is up, and answers the outcome case by case. With `keepRunning`
 * the network and chain stay up after the check (`npm start`); call `stop()` when done.
 */
import type { FundClaim, PoolId, Scenario } from '@sfr/schemas/types';
import { keccak256, toHex } from 'viem';
import { checkOutcome, type OutcomeCase, outcomeSettled } from './checkOutcome.js';
import { ReplayError } from './replayError.js';
import { type ScenarioChain, startScenarioChain } from './scenarioChain.js';
import {
  type NoticeItem,
  type ReplayNode,
  type ScenarioNetwork,
  type StreamItem,
  startScenarioNetwork,
} from './scenarioNetwork.js';

/** [sfr] Settlement is not run by the replay yet (the node's settlement client, issue 10): a named placeholder vault. */
const NO_VAULT = '0x00000000000000000000000000000000000057A1';

export interface PlayScenarioOptions {
  /** The repository root: test contracts are read from `<root>/adapters/`. */
  readonly root: string;
  /** Keys, configs, stores and logs of the nodes go to `<dataDir>/<node>` (emptied first). */
  readonly dataDir: string;
  /** Compiled test contracts are cached here. */
  readonly cacheDir: string;
  /** Bound of each wait (a node to start, a step's message, the outcome). */
  readonly timeoutMs: number;
  /** Progress lines, as they happen. */
  readonly print?: (line: string) => void;
  /** Leave the network and chain running after the outcome is checked. */
  readonly keepRunning?: boolean;
  /** `liveness.heartbeatIntervalMs` of every node. */
  readonly heartbeatIntervalMs?: number;
}

export interface PlayScenarioReturnType {
  readonly ok: boolean;
  readonly cases: readonly OutcomeCase[];
  /** Set with `keepRunning`. */
  readonly network?: ScenarioNetwork;
  readonly chain?: ScenarioChain;
  /** Stops what is still running (nodes, then the chain). */
  stop(): Promise<void>;
}

/** The pool id of a scenario's pool: keccak256("sfr-scenario:" + name). */
export function scenarioPoolId(name: string): PoolId {
  return keccak256(toHex(`sfr-scenario:${name}`));
}

const label = (item: StreamItem) =>
  String(
    item.envelope.type === 'ContagionAlert'
      ? item.envelope.payload['indicator']
      : item.envelope.payload['kind'],
  );

export async function playScenario(
  scenario: Scenario,
  options: PlayScenarioOptions,
): Promise<PlayScenarioReturnType> {
  const print = options.print ?? (() => undefined);
  const t0 = Date.now();
  const say = (s: string) => print(`+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s ${s}`);
  let chain: ScenarioChain | undefined;
  let network: ScenarioNetwork | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await network?.stop();
      await chain?.stop(); // after the nodes: their adapters read it until they stop
    })();
    return stopped;
  };
  try {
    say(`scenario ${scenario.name}: ${scenario.title}`);
    chain = await startScenarioChain(scenario, { root: options.root, cacheDir: options.cacheDir });
    say(
      `chain eip155:${chain.anvil.chainId} at ${chain.rpcUrl}: ${scenario.contracts.map((c) => c.name).join(', ')} deployed`,
    );
    const poolId = scenario.pool === undefined ? undefined : scenarioPoolId(scenario.name);
    network = await startScenarioNetwork(scenario, {
      dataDir: options.dataDir,
      chain,
      readyTimeoutMs: options.timeoutMs,
      ...(poolId === undefined ? {} : { poolId }),
      ...(options.heartbeatIntervalMs === undefined
        ? {}
        : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    });
    const net = network;
    let wake: () => void = () => undefined;
    net.onChange((node, what) => {
      if ('envelope' in what) {
        if (what.envelope.type === 'RecoveryEvent' || what.envelope.type === 'ContagionAlert')
          say(`${node.name} ← ${what.envelope.type} ${label(what)} from ${net.nameOf(what.envelope.issuer)}`);
      } else say(`${node.name} notice ${describeNotice(what)}`);
      wake();
    });
    /** Resolves once `cond` holds, re-checked on every change at any node and every 250 ms. */
    const until = async (cond: () => boolean | Promise<boolean>, what: string, pointer?: string) => {
      const deadline = Date.now() + options.timeoutMs;
      while (!(await cond())) {
        if (Date.now() > deadline)
          throw new ReplayError(
            'REPLAY_STEP_FAILED',
            `timed out after ${options.timeoutMs} ms waiting for ${what}`,
            {
              ...(pointer === undefined ? {} : { pointer }),
            },
          );
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 250);
        });
      }
    };

    await Promise.all(net.nodes.map((n) => net.start(n)));
    for (const n of net.nodes) say(`${n.name} (${n.spec.protocol}) member ${n.member} api ${n.apiUrl}`);
    // Each node's live dashboard (api.md#dashboard), on lines of their own: open one to watch the replay.
    for (const n of net.nodes) print(`dashboard: ${n.apiUrl}/dashboard  (${n.name})`);
    await until(
      async () =>
        (
          await Promise.all(
            net.nodes.map(async (n) => ((await api(n, 'GET', '/v1/status')).json as Peers).peers.connected),
          )
        ).every((c) => c >= net.nodes.length - 1),
      'every node connected to every other',
    );
    say('network up: every node connected to every other');

    if (scenario.pool !== undefined && poolId !== undefined) {
      const charter = charterOf(scenario, poolId, net, Date.now());
      for (const n of net.nodes.filter((x) => scenario.pool!.members.some((m) => m.node === x.name)))
        await ok(n, 'POST', `/v1/pools/${poolId}/charter`, charter, '/pool');
      await until(
        async () =>
          (
            await Promise.all(
              net.nodes.map(async (n) => (await api(n, 'GET', `/v1/pools/${poolId}`)).json as Pool),
            )
          ).every((v) => v.epochs?.length === 1),
        'the pool founded at every node',
        '/pool',
      );
      say(`pool "${scenario.pool.name}" founded at every node`);
    }

    const claims = new Map<string, string>(); // incidentId → claim id
    for (const [i, step] of scenario.steps.entries()) {
      const at = `/steps/${i}`;
      if (step.note !== undefined) say(`step ${i + 1}: ${step.note}`);
      if (step.call !== undefined) {
        const tx = await chain.call(step.call);
        say(`⛓ ${step.call.contract}.${step.call.function} mined (tx ${tx.slice(0, 10)}…)`);
      } else if (step.advanceTime !== undefined) {
        await chain.advanceTime(step.advanceTime.seconds);
        say(`⛓ chain clock +${step.advanceTime.seconds} s`);
      } else if (step.publish !== undefined) {
        const p = step.publish;
        const now = Date.now();
        const payload: Record<string, unknown> =
          p.type === 'RecoveryEvent'
            ? { ...p.payload, occurredAt: now, detectedAt: now }
            : { ...p.payload, observedAt: now, expiresAt: now + (p.ttlMs ?? 6 * 3_600_000) };
        const node = net.byName(p.node);
        await ok(
          node,
          'POST',
          p.type === 'RecoveryEvent' ? '/v1/events' : '/v1/alerts',
          { payload },
          `${at}/publish`,
        );
        say(`${node.name} → published ${p.type} ${String(payload['kind'] ?? payload['indicator'])}`);
      } else if (step.claim !== undefined) {
        const c = step.claim;
        const node = net.byName(c.node);
        let event: StreamItem | undefined;
        const find = () =>
          [...node.held.values()].find(
            (m) =>
              m.envelope.type === 'RecoveryEvent' &&
              m.envelope.issuer.toLowerCase() === node.member.toLowerCase() &&
              m.envelope.payload['kind'] === c.kind,
          );
        await until(
          () => {
            event = find();
            return event !== undefined;
          },
          `${node.name}'s own ${c.kind} RecoveryEvent`,
          `${at}/claim`,
        );
        const now = Date.now();
        const unit = scenario.pool!.unitAsset;
        const claim: FundClaim = {
          poolId: poolId!,
          incidentId: c.incidentId,
          incidentWindow: { from: now - 600_000, to: now - 1_000 },
          coveredKind: c.kind,
          recoveryEvents: [event!.messageId],
          evidence: event!.envelope.payload['evidence'] as FundClaim['evidence'],
          losses: [{ role: 'bad_debt', amount: { asset: unit, value: c.requestedAmount } }],
          requestedAmount: c.requestedAmount,
          valuationInputs: [],
        };
        const filed = (await ok(node, 'POST', `/v1/pools/${poolId}/claims`, claim, `${at}/claim`)) as {
          messageId: string;
        };
        claims.set(c.incidentId, filed.messageId);
        say(
          `${node.name} → filed claim ${c.incidentId} for ${c.requestedAmount} (${filed.messageId.slice(0, 10)}…)`,
        );
      } else if (step.await !== undefined) {
        const want = step.await.messages ?? [];
        const decided = (step.await.decided ?? []).map((id) => claims.get(id)!);
        await until(
          async () =>
            (
              await Promise.all(
                net.nodes
                  .filter((n) => n.child !== undefined)
                  .flatMap((n) =>
                    decided.map(async (id) => {
                      const r = await api(n, 'GET', `/v1/claims/${id}`);
                      return r.status === 200 && (r.json as { decision?: unknown }).decision != null;
                    }),
                  ),
              )
            ).every(Boolean) &&
            net.nodes
              .filter((n) => n.child !== undefined)
              .every((n) =>
                want.every(
                  (m) =>
                    [...n.held.values()].filter(
                      (h) =>
                        h.envelope.type === m.type &&
                        net.nameOf(h.envelope.issuer) === m.issuer &&
                        (m.kind === undefined || h.envelope.payload['kind'] === m.kind) &&
                        (m.indicator === undefined || h.envelope.payload['indicator'] === m.indicator),
                    ).length >= (m.count ?? 1),
                ),
              ),
          'the awaited messages and decisions at every running node',
          `${at}/await`,
        );
        say('awaited messages and decisions held at every running node');
      } else if (step.stopNode !== undefined) {
        await net.kill(net.byName(step.stopNode));
        say(`${step.stopNode} killed`);
      } else if (step.startNode !== undefined) {
        await net.start(net.byName(step.startNode));
        say(`${step.startNode} started again at ${net.byName(step.startNode).apiUrl}`);
      }
    }

    say('waiting for the outcome at every node …');
    const claimViews = async () => {
      const views = new Map<string, Map<string, Record<string, unknown> | undefined>>();
      for (const [incident, claimId] of claims) {
        const perNode = new Map<string, Record<string, unknown> | undefined>();
        for (const n of net.nodes) {
          const r = n.child === undefined ? undefined : await api(n, 'GET', `/v1/claims/${claimId}`);
          perNode.set(n.name, r?.status === 200 ? (r.json as Record<string, unknown>) : undefined);
        }
        views.set(incident, perNode);
      }
      return views;
    };
    let cases: OutcomeCase[] = [];
    // Done once every node reached the outcome, or as soon as the outcome can no longer be reached
    // (a case failed for good: node.md#crisis-replays rule 5), not at the end of the bound.
    const evaluate = async () => {
      cases = checkOutcome(scenario, net, await claimViews());
      return outcomeSettled(cases);
    };
    try {
      await until(evaluate, 'the expected outcome at every node');
    } catch (error) {
      if (!(error instanceof ReplayError)) throw error;
      await evaluate();
    }
    const allOk = cases.every((c) => c.ok);
    say(allOk ? 'every node reached the expected outcome' : 'NOT every node reached the expected outcome');
    if (!options.keepRunning) await stop();
    return { ok: allOk, cases, ...(options.keepRunning ? { network: net, chain } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Peers = { peers: { connected: number } };
type Pool = { epochs?: unknown[] };

/** One HTTP call to a node's API (the token on every call; reads ignore it). */
export async function api(
  node: ReplayNode,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${node.apiUrl}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${node.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function ok(node: ReplayNode, method: string, route: string, body: unknown, pointer: string) {
  const r = await api(node, method, route, body);
  if (r.status >= 300) {
    const p = r.json as { code?: string; detail?: string };
    throw new ReplayError(
      'REPLAY_STEP_FAILED',
      `${node.name} refused ${method} ${route}: ${r.status} ${p.code ?? ''} ${p.detail ?? ''}`.trim(),
      { pointer },
    );
  }
  return r.json;
}

function charterOf(scenario: Scenario, poolId: PoolId, net: ScenarioNetwork, now: number) {
  const pool = scenario.pool!;
  const unit = pool.unitAsset;
  return {
    poolId,
    name: pool.name,
    epoch: 0,
    effectiveAt: now - 60_000,
    members: pool.members.map((m) => {
      const n = net.byName(m.node);
      return {
        member: n.member,
        protocol: n.spec.protocol,
        weight: m.weight,
        commitments: [{ asset: unit, value: m.commitment }],
      };
    }),
    payoutAssets: [unit],
    coveredKinds: pool.coveredKinds,
    deductible: pool.deductible ?? { fixed: '0', bps: 0 },
    caps: pool.caps,
    payoutRateLimit: { maxAmount: pool.caps.perPeriod, windowMs: pool.caps.periodMs },
    quorum: pool.quorum,
    maxMemberWeightBps: 10_000,
    windows: pool.windows,
    noticePeriodMs: 86_400_000,
    claimDeposit: { asset: unit, value: '0' },
    valuation: {
      unitAsset: unit,
      method: 'pre_incident_median',
      lookbackMs: 3_600_000,
      maxDeviationBps: 200,
    },
    settlement: { chain: unit.chain, vault: NO_VAULT },
  };
}

/** One line for a notice: its event and what it is about. */
export function describeNotice(n: NoticeItem): string {
  const b = n.body as {
    alert?: { payload?: { indicator?: string } };
    event?: { payload?: { kind?: string } };
    policy?: string;
    outcome?: string;
    member?: string;
  };
  const what =
    n.event === 'alert' || n.event === 'alert_resolved'
      ? b.alert?.payload?.indicator
      : n.event === 'recovery_event'
        ? b.event?.payload?.kind
        : n.event === 'protective_action'
          ? `${b.policy} ${b.outcome}`
          : undefined;
  return what === undefined ? n.event : `${n.event} ${what}`;
}
