/**
 * Stress tests of a pool's capital against correlated failures (spec/v1/pools.md#stress): pure
 * computations behind `sfr stress --pool <charter> --scenarios <file>`.
 */

export { readVaultCapital } from './readVaultCapital.js';
export {
  type CommonShockModel,
  MAX_TRIALS,
  type MemberOutcome,
  parseScenarios,
  type RunStressOptions,
  type RunStressReturnType,
  runStress,
  type ScenarioResult,
  type StressEvent,
  type StressReport,
  type StressScenario,
  stressReportToCsv,
  stressReportToJson,
} from './runStress.js';
