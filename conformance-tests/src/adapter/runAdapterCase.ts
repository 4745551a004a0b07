/**
 * Runs one case of the `adapter` level (spec/v1/conformance.md#adapter-level): starts a fresh
 * anvil, plays the case's scenario, then asks the implementation's harness to scan the chain with
 * its adapter (`adapterScan`) or to verify an evidence ref derived from a scenario transaction
 * (`adapterVerifyEvidence`), and compares the answer with `expected` by the subset rule. The
 * implementation only ever sees an RPC URL and a config: it is tested from outside.
 */
import { HarnessCode } from '../errors.js';
import type { HarnessProcess } from '../harness/harnessProcess.js';
import { matchSubset } from '../runner/compareResult.js';
import type { ScenarioCaseOutcome } from '../runner/scenarioCaseOutcome.js';
import type { VectorCase } from '../vectors/loadVectors.js';
import {
  type Artifacts,
  deriveRef,
  playScenario,
  type RefSpec,
  resolvePlaceholders,
  type Scenario,
  ScenarioError,
  type ScenarioState,
} from './playScenario.js';
import { type AnvilChain, startAnvil } from './startAnvil.js';

/** The harness op each adapter handler sends. */
export const adapterOps = { scan: 'adapterScan', verifyEvidence: 'adapterVerifyEvidence' } as const;

type AdapterInput = {
  scenario: Scenario;
  adapter: string;
  config: Record<string, unknown>;
  ref?: RefSpec;
};

export async function runAdapterCase(
  harness: HarnessProcess,
  handler: string,
  vectorCase: VectorCase,
  artifacts: Artifacts,
  anvilPath: string,
  timeoutMs: number,
): Promise<ScenarioCaseOutcome> {
  const input = vectorCase.input as AdapterInput;
  let chain: AnvilChain | undefined;
  let request: { op: string; args: Record<string, unknown> };
  let expected: unknown;
  let state: ScenarioState;
  try {
    chain = await startAnvil(anvilPath);
    state = await playScenario(chain, input.scenario, artifacts);
    const config = resolvePlaceholders(input.config, state) as Record<string, unknown>;
    expected = resolvePlaceholders(vectorCase.expected, state);
    if (handler === 'scan') {
      request = { op: adapterOps.scan, args: { adapter: input.adapter, config, fromBlock: state.fromBlock } };
    } else if (handler === 'verifyEvidence') {
      if (input.ref === undefined) throw new ScenarioError('a verifyEvidence case needs input.ref');
      request = {
        op: adapterOps.verifyEvidence,
        args: { adapter: input.adapter, config, ref: await deriveRef(chain, state, input.ref) },
      };
    } else throw new ScenarioError(`unknown adapter handler ${handler}`);
  } catch (error) {
    await chain?.stop();
    // The implementation was not asked anything: the scenario itself could not be played.
    return {
      outcome: 'failed',
      code: HarnessCode.invalidVectorFile,
      reason: `the runner could not play the scenario on anvil: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      startFailure: false,
    };
  }
  try {
    const response = await harness.request(request.op, request.args, timeoutMs);
    switch (response.kind) {
      case 'result': {
        const compared = matchSubset(expected, response.result);
        if (compared.ok) return { outcome: 'passed', actual: response.result, startFailure: false };
        return {
          outcome: 'failed',
          code: HarnessCode.resultMismatch,
          reason: `${compared.reason} (${request.op} ${JSON.stringify(request.args.adapter)} from block ${state.fromBlock})`,
          actual: response.result,
          startFailure: false,
        };
      }
      case 'error': {
        const actual = { error: { code: response.code, message: response.message } };
        if (response.code === HarnessCode.unsupportedOp) {
          return {
            outcome: 'unsupported',
            code: HarnessCode.unsupportedOp,
            reason: `the implementation does not support ${request.op} for adapter ${input.adapter}`,
            actual,
            startFailure: false,
          };
        }
        return {
          outcome: 'failed',
          code: HarnessCode.unexpectedError,
          reason: `${request.op} answered an error: ${response.code}${response.message === '' ? '' : ` (${response.message})`}`,
          actual,
          startFailure: false,
        };
      }
      case 'failure':
        return {
          outcome: 'failed',
          code: response.code,
          reason: response.reason,
          startFailure: response.beforeFirstAnswer,
        };
    }
  } finally {
    await chain.stop();
  }
}
