/**
 * Conformance levels (spec/v1/conformance.md#levels), the runner that serves each, and the
 * handlers (harness ops) this runner knows. A vector file naming a runner or handler that is not
 * listed here is an error, never skipped: a runner that silently skips vectors can report a pass it
 * did not check.
 */
export const levels = ['schema', 'envelope', 'pool', 'node', 'adapter', 'settlement'] as const;
export type Level = (typeof levels)[number];

/** Scenarios of the node runner (spec/v1/conformance.md#node-level), played by src/node/runNodeCase.ts. */
export const nodeHandlers = ['relay', 'duplicate', 'penalize', 'equivocation', 'sync'] as const;

/**
 * Handlers of the adapter runner (spec/v1/conformance.md#adapter-level), played by
 * src/adapter/runAdapterCase.ts: `scan` sends harness op `adapterScan`, `verifyEvidence` sends
 * `adapterVerifyEvidence`, each after a scenario on anvil.
 */
export const adapterHandlers = ['scan', 'verifyEvidence'] as const;

export type LevelDefinition = {
  level: Level;
  /** Runner name: the second path segment of a vector file. */
  runner: string;
  /** Handlers this runner executes; for harness-driven levels each is the harness op. */
  handlers: readonly string[];
  /** Whether this runner drives levels through the JSON-lines harness protocol (for `node`: to start nodes). */
  harness: boolean;
  /** Shown in reports when the runner cannot run the level yet. */
  note?: string;
};

export const levelDefinitions: readonly LevelDefinition[] = [
  { level: 'schema', runner: 'schema', handlers: ['validate'], harness: true },
  {
    level: 'envelope',
    runner: 'envelope',
    handlers: ['canonicalize', 'payloadHash', 'typedDataDigest', 'sign', 'messageId', 'verify', 'ingest'],
    harness: true,
  },
  // Pool level: `decide` plays pool messages; `valueLoss` values a loss from a feed's rounds (pools.md#harness).
  { level: 'pool', runner: 'pool', handlers: ['decide', 'valueLoss'], harness: true },
  // Node level: the harness starts a node (ops nodeStart / nodeStop); each handler is a scenario the
  // runner plays against it as gossip peers (spec/v1/conformance.md#node-level).
  { level: 'node', runner: 'node', handlers: nodeHandlers, harness: true },
  // Adapter level: the runner plays a scenario on its own anvil, then asks the harness to scan it with
  // an adapter or to verify an evidence ref (spec/v1/conformance.md#adapter-level).
  { level: 'adapter', runner: 'adapter', handlers: adapterHandlers, harness: true },
  // Settlement level (spec/v1/settlement.md#vectors): the typed structs a vault checks, as harness ops.
  {
    level: 'settlement',
    runner: 'settlement',
    handlers: ['settlementDigest', 'settlementOf', 'settlementSplit', 'settlementTurns'],
    harness: true,
  },
];

export function isLevel(value: string): value is Level {
  return (levels as readonly string[]).includes(value);
}

export function getLevelDefinition(level: Level): LevelDefinition {
  const definition = levelDefinitions.find((d) => d.level === level);
  if (definition === undefined) throw new Error(`unreachable: no definition for level ${level}`);
  return definition;
}

export function findLevelByRunner(runner: string): LevelDefinition | undefined {
  return levelDefinitions.find((d) => d.runner === runner);
}
