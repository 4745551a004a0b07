// Public API of @sfr/conformance-tests: load vectors, drive an implementation, render the report.

export { adapterOps } from './adapter/runAdapterCase.js';
export { anvilChainId, killAllAnvils, resolveAnvil } from './adapter/startAnvil.js';
export { ExitCode, exitCodeOf, main } from './cli/main.js';
export { ConformanceError, HarnessCode, type HarnessCodeValue } from './errors.js';
export { HarnessProcess, type HarnessResponse, killAllHarnessProcesses } from './harness/harnessProcess.js';
export { parseCommandLine } from './harness/parseCommandLine.js';
export {
  adapterHandlers,
  getLevelDefinition,
  isLevel,
  type Level,
  type LevelDefinition,
  levelDefinitions,
  levels,
  nodeHandlers,
} from './levels.js';
export { fixedTopics, type NodeTimings, nodeTimings } from './node/runNodeCase.js';
export { renderJson, renderMarkdown } from './report/renderReport.js';
export { compareResult, matchSubset } from './runner/compareResult.js';
export {
  type CaseResult,
  type ConformanceReport,
  defaultTimeoutMs,
  type LevelSummary,
  runConformance,
} from './runner/runConformance.js';
export {
  type CoverageExemption,
  checkCoverage,
  collectExpectedCodes,
  coverageExemptionsSchemaUrl,
  coverageExemptionsUrl,
  loadCoverageExemptions,
  loadRegistry,
  type RegisteredCode,
  resolveRegistryDir,
} from './vectors/checkCoverage.js';
export { loadVectors, type VectorCase, type VectorFile, type VectorProblem } from './vectors/loadVectors.js';
export { validateVectorFile, vectorsSchemaUrl } from './vectors/validateVectorFile.js';
export { defaultVectorsRoot, packageInfo } from './version.js';
