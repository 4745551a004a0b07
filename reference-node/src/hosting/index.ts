export {
  type AdapterEntry,
  type AdapterHealth,
  type AdapterHost,
  type AdapterStatus,
  type CreateAdapterHostParameters,
  createAdapterHost,
  type HostedNode,
  type MergedExposure,
  OUTPUT_LOG_FILE,
  STOP_GRACE_MS,
} from './adapterHost.js';
export {
  type AdapterHostFromConfigParameters,
  resolveAdapterEntries,
  startAdapterHostFromConfig,
} from './fromConfig.js';
export { type OutputLog, openOutputLog, type PendingOutput, stableJson } from './outputLog.js';
