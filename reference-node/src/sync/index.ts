export * as syncProtocols from './protocols.js';
export { STATUS_PROTOCOL, SYNC_IDS_PROTOCOL, SYNC_RANGE_PROTOCOL } from './protocols.js';
export { PeerRateLimiter } from './rateLimiter.js';
export { SYNC_CODES, type SyncCode, SyncError } from './syncCodes.js';
export {
  createSyncService,
  type SyncReport,
  type SyncService,
  type SyncServiceOptions,
} from './syncService.js';
export { SyncStrikes } from './syncStrikes.js';
