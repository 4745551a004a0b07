import type { HarnessCodeValue } from '../errors.js';

/**
 * What a scenario case of the `node` or `adapter` level came to (conformance.md#node-level,
 * #adapter-level): the runner played the scenario around the harness's answers and compared.
 */
export type ScenarioCaseOutcome = {
  outcome: 'passed' | 'failed' | 'unsupported';
  code?: HarnessCodeValue;
  reason?: string;
  actual?: unknown;
  /** The harness failed before answering anything since it was (re)started. */
  startFailure: boolean;
};
