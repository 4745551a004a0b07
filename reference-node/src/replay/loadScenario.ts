/**
 * `loadScenario(file)`: reads a crisis replay (spec/v1/node.md#crisis-replays), validates it against
 * the Scenario schema, and checks that every node and contract it names is defined once. Bad input
 * is a `ReplayError` naming the field, what was expected and the code; nothing is started.
 */
import { readFile, stat } from 'node:fs/promises';
import { validate } from '@sfr/schemas';
import type { Scenario } from '@sfr/schemas/types';
import { ReplayError } from './replayError.js';

/** [sfr] A scenario is a hand-written file of a few KiB; 1 MiB bounds what is read. */
export const MAX_SCENARIO_BYTES = 1_048_576;

export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    const s = await stat(file);
    if (s.size > MAX_SCENARIO_BYTES) throw new Error(`${s.size} bytes, more than ${MAX_SCENARIO_BYTES}`);
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ReplayError('REPLAY_SCENARIO_UNREADABLE', `cannot read ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new ReplayError('REPLAY_SCENARIO_UNREADABLE', `${file} is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseScenario(doc, file);
}

/** Validates a parsed scenario; `where` names it in errors. */
export function parseScenario(doc: unknown, where = 'scenario'): Scenario {
  const r = validate('Scenario', doc);
  if (!r.ok) {
    const i = r.issues[0]!;
    throw new ReplayError(
      'REPLAY_SCENARIO_INVALID',
      `${where} at ${i.pointer || '/'}: ${i.message}${i.expected === undefined ? '' : ` (expected ${i.expected})`} [${i.code}]`,
      { pointer: i.pointer },
    );
  }
  checkNames(r.value, where);
  return r.value;
}

/** Every name a step, an expectation, the pool or a config uses is defined, and defined once. */
function checkNames(s: Scenario, where: string): void {
  const unknown = (pointer: string, what: string, name: string, known: Iterable<string>) =>
    new ReplayError(
      'REPLAY_UNKNOWN_NAME',
      `${where} at ${pointer}: no ${what} named "${name}" (defined: ${[...known].join(', ')})`,
      { pointer },
    );
  const nodes = new Set<string>();
  s.nodes.forEach((n, i) => {
    if (nodes.has(n.name))
      throw new ReplayError(
        'REPLAY_UNKNOWN_NAME',
        `${where} at /nodes/${i}/name: "${n.name}" is defined twice`,
        {
          pointer: `/nodes/${i}/name`,
        },
      );
    nodes.add(n.name);
  });
  const contracts = new Set<string>();
  const contractRefs = (value: unknown, pointer: string): void => {
    if (typeof value === 'string' && value.startsWith('$')) {
      if (!contracts.has(value.slice(1))) throw unknown(pointer, 'contract', value.slice(1), contracts);
    } else if (Array.isArray(value))
      value.forEach((v, i) => {
        contractRefs(v, `${pointer}/${i}`);
      });
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) contractRefs(v, `${pointer}/${k}`);
  };
  s.contracts.forEach((c, i) => {
    contractRefs(c.args ?? [], `/contracts/${i}/args`);
    if (contracts.has(c.name))
      throw new ReplayError(
        'REPLAY_UNKNOWN_NAME',
        `${where} at /contracts/${i}/name: "${c.name}" is defined twice`,
        {
          pointer: `/contracts/${i}/name`,
        },
      );
    contracts.add(c.name);
  });
  const node = (name: string, pointer: string) => {
    if (!nodes.has(name)) throw unknown(pointer, 'node', name, nodes);
  };
  const call = (c: { contract: string; args?: unknown[] }, pointer: string) => {
    if (!contracts.has(c.contract)) throw unknown(`${pointer}/contract`, 'contract', c.contract, contracts);
    contractRefs(c.args ?? [], `${pointer}/args`);
  };
  s.nodes.forEach((n, i) => {
    for (const list of ['adapters', 'verifies'] as const)
      (n[list] ?? []).forEach((a, j) => {
        contractRefs(a.config, `/nodes/${i}/${list}/${j}/config`);
      });
    (n.protectiveActions ?? []).forEach((a, j) => {
      call(a.call, `/nodes/${i}/protectiveActions/${j}/call`);
    });
  });
  s.pool?.members.forEach((m, i) => {
    node(m.node, `/pool/members/${i}/node`);
  });
  const incidents = new Set<string>();
  s.steps.forEach((step, i) => {
    const at = `/steps/${i}`;
    if (step.call !== undefined) call(step.call, `${at}/call`);
    if (step.publish !== undefined) node(step.publish.node, `${at}/publish/node`);
    if (step.stopNode !== undefined) node(step.stopNode, `${at}/stopNode`);
    if (step.startNode !== undefined) node(step.startNode, `${at}/startNode`);
    if (step.await !== undefined) {
      (step.await.messages ?? []).forEach((m, j) => {
        node(m.issuer, `${at}/await/messages/${j}/issuer`);
      });
      (step.await.decided ?? []).forEach((id, j) => {
        if (!incidents.has(id))
          throw unknown(`${at}/await/decided/${j}`, 'earlier claim with incident', id, incidents);
      });
    }
    if (step.claim !== undefined) {
      node(step.claim.node, `${at}/claim/node`);
      if (s.pool === undefined)
        throw new ReplayError(
          'REPLAY_UNKNOWN_NAME',
          `${where} at ${at}/claim: a claim needs the scenario's pool`,
          {
            pointer: `${at}/claim`,
          },
        );
      if (!s.pool.members.some((m) => m.node === step.claim!.node))
        throw unknown(
          `${at}/claim/node`,
          'pool member',
          step.claim.node,
          s.pool.members.map((m) => m.node),
        );
      incidents.add(step.claim.incidentId);
    }
  });
  s.expect.messages.forEach((m, i) => {
    node(m.issuer, `/expect/messages/${i}/issuer`);
  });
  (s.expect.notices ?? []).forEach((m, i) => {
    node(m.node, `/expect/notices/${i}/node`);
  });
  (s.expect.claims ?? []).forEach((c, i) => {
    if (!incidents.has(c.incidentId))
      throw unknown(`/expect/claims/${i}/incidentId`, 'claim step with incident', c.incidentId, incidents);
    for (const n of Object.keys(c.contributions ?? {})) node(n, `/expect/claims/${i}/contributions/${n}`);
  });
}
