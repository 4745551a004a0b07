// Compile-time check, run by `npm run typecheck` (tsconfig.check.json): every payload the kit can
// build is a document of the generated @sfr/schemas types. The kit keeps its own viem-friendly
// shapes (`0x${string}` addresses); this file makes any drift from the schemas a type error.
import type { ContagionAlert, EvidenceRef, RecoveryEvent } from '@sfr/schemas/types';
import type {
  ContagionAlertPayload,
  EvidenceRef as KitEvidenceRef,
  RecoveryEventPayload,
} from '../src/types.js';

export const asRecoveryEvent = (payload: RecoveryEventPayload): RecoveryEvent => payload;
export const asContagionAlert = (payload: ContagionAlertPayload): ContagionAlert => payload;
export const asEvidenceRef = (ref: KitEvidenceRef): EvidenceRef => ref;
