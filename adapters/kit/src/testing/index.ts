export {
  type AnvilClient,
  type AnvilInstance,
  anvilDefaultAccount,
  resolveAnvilBinary,
  type StartAnvilOptions,
  startAnvil,
} from './anvil.js';
export {
  type ComplianceFixture,
  type ComplianceOverrides,
  describeAdapterCompliance,
  drainAdapter,
  expectValidOutputs,
  findSchemaProblems,
} from './compliance.js';
export { expectConfigErrorsAreCoded } from './config.js';
export { type RpcProxy, startRpcProxy } from './proxy.js';
export { type CompiledContract, type CompileOptions, compileSolidity, compileSolidityFiles } from './solc.js';
