import type { PoolCharter } from '@sfr/schemas/types';
import { type Address, getAddress, type Hex } from 'viem';
import { eip155ChainId, unitCommitment } from '../pools/amounts.js';
import type { VaultCharter } from './types.js';
import { VaultError } from './vaultError.js';

/**
 * The terms of a charter the vault enforces (settlement.md#charter-terms): members in ascending
 * address order with their unit-asset capital, quorum, caps, rate limit and windows, bound to the
 * charter text by its payload hash. A charter whose unit asset is not a token on its settlement
 * chain cannot settle on-chain (`VAULT_NOT_SETTLEABLE`).
 */
export function toVaultCharter(charter: PoolCharter, payloadHash: Hex): VaultCharter {
  const unit = charter.valuation.unitAsset;
  const chainId = eip155ChainId(charter.settlement.chain);
  if (
    chainId === null ||
    unit.chain !== charter.settlement.chain ||
    !/^0x[0-9a-fA-F]{40}$/.test(unit.address)
  ) {
    throw new VaultError(
      'VAULT_NOT_SETTLEABLE',
      'The charter has no ERC-20 unit asset on an EVM settlement chain.',
      {
        section: 'from-the-decision',
        args: [charter.settlement.chain, unit.chain, unit.address],
      },
    );
  }
  const members = [...charter.members]
    .sort((a, b) => (a.member.toLowerCase() < b.member.toLowerCase() ? -1 : 1))
    .map((m) => ({
      member: getAddress(m.member),
      weight: BigInt(m.weight),
      leavingAt: BigInt(m.leavingAt ?? 0),
      commitment: unitCommitment(charter, m),
    }));
  return {
    poolId: charter.poolId as Hex,
    epoch: BigInt(charter.epoch),
    charterHash: payloadHash,
    effectiveAt: BigInt(charter.effectiveAt),
    asset: getAddress(unit.address) as Address,
    members,
    quorumBps: charter.quorum.weightBps,
    minMembers: charter.quorum.minMembers,
    maxMemberWeightBps: charter.maxMemberWeightBps,
    perClaim: BigInt(charter.caps.perClaim),
    perMemberPerPeriod: BigInt(charter.caps.perMemberPerPeriod),
    perPeriod: BigInt(charter.caps.perPeriod),
    periodMs: BigInt(charter.caps.periodMs),
    rateMaxAmount: BigInt(charter.payoutRateLimit.maxAmount),
    rateWindowMs: BigInt(charter.payoutRateLimit.windowMs),
    votingMs: BigInt(charter.windows.votingMs),
    challengeMs: BigInt(charter.windows.challengeMs),
    noticePeriodMs: BigInt(charter.noticePeriodMs),
  };
}
