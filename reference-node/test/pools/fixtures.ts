/**
 * Signed pool fixtures from FIXED keys (private key = keccak256("sfr-pool-member-<i>")) and fixed
 * times, shared by the pool tests, the vector generator and the benchmark.
 */
import type { ClaimAttestation, FundClaim, PoolCharter } from '@sfr/schemas/types';
import { keccak256, stringToBytes } from 'viem';
import {
  createMemorySigningJournal,
  deriveTestKey,
  type Envelope,
  type Hex,
  type MemberKey,
  type SigningJournal,
  signEnvelope,
} from '../../src/envelope/index.js';

/** 2026-01-01T00:00:00Z. */
export const T0 = 1_767_225_600_000;
export const HOUR = 3_600_000;
export const POOL_ID = `0x${'5f'.repeat(32)}` as Hex;
export const VAULT = '0x00000000000000000000000000000000000005F1';
export const CHAIN = 'eip155:8453';
export const USDC = {
  chain: CHAIN,
  address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  symbol: 'USDC',
  decimals: 6,
};
export const WETH = {
  chain: CHAIN,
  address: '0x4200000000000000000000000000000000000006',
  symbol: 'WETH',
  decimals: 18,
};
/**
 * The default evidence's transaction: one per (claimant, incident), since a piece of evidence backs
 * at most one claim of a pool (pools.md#filing, CLAIM_DUPLICATE_EVIDENCE).
 */
const txOf = (claimant: string, incidentId: string) =>
  keccak256(stringToBytes(`${claimant.toLowerCase()}:${incidentId}`));
const BLOCK: Hex = `0x${'cd'.repeat(32)}`;

export function memberKey(i: number): MemberKey {
  return deriveTestKey(`sfr-pool-member-${i}`);
}

export type MemberSpec = {
  key: MemberKey;
  weight: number;
  commit: bigint;
  protocol?: string;
  leavingAt?: number;
};

/** n members with the given weights and unit (USDC) commitments. */
export function members(specs: { weight: number; commit: bigint }[], offset = 0): MemberSpec[] {
  return specs.map((s, i) => ({ key: memberKey(i + offset), ...s }));
}

export function charterPayload(ms: MemberSpec[], over: Partial<PoolCharter> = {}): PoolCharter {
  return {
    poolId: POOL_ID,
    name: 'Test pool',
    epoch: 0,
    effectiveAt: T0,
    members: ms.map((m, i) => ({
      member: m.key.address,
      protocol: m.protocol ?? `proto-${i}`,
      weight: m.weight,
      commitments: [{ asset: USDC, value: m.commit.toString() }],
      ...(m.leavingAt === undefined ? {} : { leavingAt: m.leavingAt }),
    })),
    payoutAssets: [USDC],
    coveredKinds: ['bad_debt_realized', 'oracle_failure', 'loss_socialized'],
    deductible: { fixed: '0', bps: 0 },
    caps: {
      perClaim: '1000000000000000',
      perMemberPerPeriod: '1000000000000000',
      perPeriod: '1000000000000000',
      periodMs: 30 * 24 * HOUR,
    },
    payoutRateLimit: { maxAmount: '1000000000000000', windowMs: HOUR },
    quorum: { weightBps: 5000, minMembers: 2 },
    maxMemberWeightBps: 10_000,
    windows: { votingMs: 24 * HOUR, challengeMs: HOUR, cooldownMs: 0 },
    noticePeriodMs: 7 * 24 * HOUR,
    claimDeposit: { asset: USDC, value: '0' },
    valuation: { unitAsset: USDC, method: 'pre_incident_median', lookbackMs: HOUR, maxDeviationBps: 200 },
    settlement: { chain: CHAIN, vault: VAULT },
    ...over,
  };
}

export type Signed = { envelope: Envelope; wire: string; id: Hex };

/** Signs pool messages, keeping per-issuer sequence numbers. */
export class PoolSigner {
  /** One journal per member, as each member's node keeps its own (attestation slots are per signer). */
  private readonly journals = new Map<string, SigningJournal>();
  private readonly seqs = new Map<string, number>();

  journalOf(key: MemberKey): SigningJournal {
    const j = this.journals.get(key.address) ?? createMemorySigningJournal();
    this.journals.set(key.address, j);
    return j;
  }

  nextSeq(key: MemberKey): number {
    const s = (this.seqs.get(key.address) ?? 0) + 1;
    this.seqs.set(key.address, s);
    return s;
  }

  async sign(
    key: MemberKey,
    type: string,
    payload: object,
    issuedAt: number,
    epoch: number,
    opts: {
      seq?: number;
      journal?: SigningJournal;
      poolId?: Hex;
      /** The EIP-712 domain; default the pool's vault on Base; null: none. */
      domain?: { chainId: number; verifyingContract: Hex } | null;
    } = {},
  ): Promise<Signed> {
    const r = await signEnvelope({
      privateKey: key.privateKey,
      guard: opts.journal ?? this.journalOf(key),
      unsigned: {
        sfr: '1.0',
        type,
        issuer: key.address,
        seq: opts.seq ?? this.nextSeq(key),
        issuedAt,
        scope: { poolId: opts.poolId ?? POOL_ID, epoch },
        ...(opts.domain === null
          ? {}
          : { domain: opts.domain ?? { chainId: 8453, verifyingContract: VAULT as Hex } }),
        payload: JSON.parse(JSON.stringify(payload)),
      },
    });
    return { envelope: r.envelope, wire: new TextDecoder().decode(r.wire), id: r.messageId };
  }

  /** The charter signed by each of `signers` (default: every member). */
  async charter(charter: PoolCharter, signers: MemberKey[], issuedAt = T0 - HOUR): Promise<Signed[]> {
    const out: Signed[] = [];
    for (const k of signers) out.push(await this.sign(k, 'PoolCharter', charter, issuedAt, charter.epoch));
    return out;
  }

  async claim(key: MemberKey, issuedAt: number, over: Partial<FundClaim> = {}, epoch = 0): Promise<Signed> {
    const incidentId = over.incidentId ?? 'incident-1';
    const payload: FundClaim = {
      poolId: POOL_ID,
      incidentId: 'incident-1',
      incidentWindow: { from: issuedAt - 2 * HOUR, to: issuedAt - HOUR },
      coveredKind: 'bad_debt_realized',
      recoveryEvents: [`0x${'e1'.repeat(32)}`],
      evidence: [
        {
          type: 'log',
          chain: CHAIN,
          blockNumber: 1000,
          blockHash: BLOCK,
          txHash: txOf(key.address, incidentId),
          logIndex: 0,
          emitter: '0x0000000000000000000000000000000000000abc',
          topic0: `0x${'0f'.repeat(32)}`,
        },
      ],
      losses: [{ role: 'bad_debt', amount: { asset: USDC, value: '1000000000' } }],
      requestedAmount: '1000000000',
      valuationInputs: [],
      ...over,
    };
    return this.sign(key, 'FundClaim', payload, issuedAt, epoch);
  }

  async attest(
    key: MemberKey,
    claimId: Hex,
    issuedAt: number,
    verdict: ClaimAttestation['verdict'],
    amount?: bigint,
    opts: {
      epoch?: number;
      round?: number;
      note?: string;
      journal?: SigningJournal;
      seq?: number;
      domain?: { chainId: number; verifyingContract: Hex } | null;
    } = {},
  ): Promise<Signed> {
    const payload: ClaimAttestation = {
      poolId: POOL_ID,
      claimId,
      round: opts.round ?? 0,
      verdict,
      ...(verdict === 'approve' ? { approvedAmount: (amount ?? 0n).toString() } : {}),
      ...(verdict === 'reject' ? { reasonCode: 'EVIDENCE_LOG_NOT_FOUND' } : {}),
      evidenceChecks: [{ index: 0, result: verdict === 'reject' ? 'not_found' : 'verified' }],
      ...(opts.note ? { note: opts.note } : {}),
    };
    return this.sign(key, 'ClaimAttestation', payload, issuedAt, opts.epoch ?? 0, {
      ...(opts.journal ? { journal: opts.journal } : {}),
      ...(opts.seq === undefined ? {} : { seq: opts.seq }),
      ...(opts.domain === undefined ? {} : { domain: opts.domain }),
    });
  }
}

export const wires = (xs: Signed[]) => xs.map((x) => x.wire);
