/** Member liveness (spec/v1/node.md#liveness): announcements, heartbeats, silent / back tracking. */
export {
  type AttachLivenessParameters,
  attachLiveness,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MISSED_HEARTBEATS,
  type Liveness,
  type LivenessNotice,
} from './attachLiveness.js';
export {
  type CreateLivenessTrackerParameters,
  createLivenessTracker,
  type LivenessHeartbeat,
  type LivenessStatus,
  type LivenessTracker,
  type LivenessTransition,
  type MemberLiveness,
} from './livenessTracker.js';
