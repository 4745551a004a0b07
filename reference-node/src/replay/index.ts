export { checkOutcome, formatOutcome, type OutcomeCase, outcomeSettled } from './checkOutcome.js';
export { loadScenario, parseScenario } from './loadScenario.js';
export {
  type PlayScenarioOptions,
  type PlayScenarioReturnType,
  playScenario,
  scenarioPoolId,
} from './playScenario.js';
export { type ReplayCode, ReplayError } from './replayError.js';
