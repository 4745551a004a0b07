/**
 * Contagion response (spec/v1/contagion.md): exposure matching, corroboration, webhook delivery
 * with HMAC signatures and a durable outbox, and pre-authorized protective actions.
 */

export { type AttachContagionParameters, attachContagion } from './attachContagion.js';
export { ALERT_CODES, type AlertCode, ContagionError } from './codes.js';
export { type ContagionMetrics, createContagionMetrics } from './contagionMetrics.js';
export {
  BPS,
  CorroborationState,
  combineConfidence,
  corroborate,
  type GroupView,
  groupKey,
  type IssuerAlert,
  SEVERITY_RANK,
  severityRank,
} from './corroboration.js';
export {
  type ContagionNode,
  type ContagionNotice,
  type ContagionResponder,
  type CreateContagionResponderParameters,
  createContagionResponder,
} from './createContagionResponder.js';
export { isAlertVoid, sourceEventsOf, type VoidAlertStore } from './isAlertVoid.js';
export {
  type AdapterExposure,
  buildExposureProfile,
  type ExposureEntry,
  type ExposureProfile,
  matchSubject,
  normalizeSubject,
  subjectKey,
  subjectTouches,
} from './matchSubject.js';
export { type Outbox, type OutboxEntry, openOutbox } from './outbox.js';
export { DEFAULT_RETRY, isRetryableStatus, type RetryPolicy, retryDelayMs } from './retrySchedule.js';
export { parseActionReport, runCommand } from './runProtectiveAction.js';
export { signWebhook, verifyWebhookSignature } from './signWebhook.js';
export { createWebhookSender, deliveryIdOf, type WebhookTarget } from './webhookSender.js';
