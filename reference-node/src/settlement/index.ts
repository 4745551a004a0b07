/**
 * On-chain settlement (spec/v1/settlement.md): the typed structs members sign, how one follows
 * from a `ClaimDecision`, and a small viem client for the SFR vault.
 */
export { type BuildSettlementParameters, buildSettlement } from './buildSettlement.js';
export { deployVault } from './deployVault.js';
export { type DepositParameters, deposit } from './deposit.js';
export {
  foldVaultLogs,
  type VaultClaimState,
  type VaultEventName,
  type VaultLogRecord,
  type VaultMemberState,
  type VaultPoolState,
} from './foldVaultLogs.js';
export {
  type FollowVaultParameters,
  type FollowVaultPollResult,
  followVault,
  type VaultFollower,
} from './followVault.js';
export { ecrecoverLoop, sfrVault, testToken } from './generated/contracts.js';
export { openClaim } from './openClaim.js';
export { proveEquivocation } from './proveEquivocation.js';
export { readBalances, type VaultBalance } from './readBalances.js';
export { type RegisterCharterParameters, registerCharter } from './registerCharter.js';
export { release } from './release.js';
export { settle } from './settle.js';
export { settlementFromJson, settlementToJson } from './settlementJson.js';
export { runSettlementOp, SETTLEMENT_OPS } from './settlementOp.js';
export { signForVault } from './signForVault.js';
export { toVaultCharter } from './toVaultCharter.js';
export {
  rankOf,
  rankSigners,
  TURN_EFFECTS,
  type TurnEffect,
  type Turns,
  turnAt,
  turnsOf,
} from './turnOrder.js';
export {
  CHARTER_ENCODE_TYPE,
  CHARTER_TYPES,
  SETTLEMENT_ENCODE_TYPE,
  SETTLEMENT_TYPES,
  SETTLEMENT_VALIDITY_MS,
} from './typedDataTypes.js';
export type * from './types.js';
export { toVaultError, type VaultCode, VaultError } from './vaultError.js';
export { typedDataFromJson, typedDataToJson, vaultTypedData } from './vaultTypedData.js';
export { type VaultEvent, watchVaultEvents } from './watchVaultEvents.js';
export { withdraw } from './withdraw.js';
export { type VaultClient, type WriteVaultParameters, writeVault } from './writeVault.js';
