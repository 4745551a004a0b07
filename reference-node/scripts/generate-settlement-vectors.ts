/**
 * Writes the settlement-level vectors, conformance-tests/vectors/v1/settlement/<handler>/<suite>.json
 * (spec/v1/settlement.md#vectors). Every expected value is written here by hand from the spec —
 * digests by the spec's `hashStruct` formula on plain ABI encoding and keccak, splits and
 * settlements as literal numbers — and asserted against the reference implementation's harness op
 * (whose digests are viem's `hashTypedData`) before anything is written; a mismatch aborts.
 * Usage: npx tsx reference-node/scripts/generate-settlement-vectors.ts [--check]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { ClaimDecision } from '@sfr/schemas/types';
import { type Address, concat, encodeAbiParameters, getAddress, type Hex, keccak256, toHex } from 'viem';
import { runIfMain, writeVectorFiles } from '../../conformance-tests/scripts/writeVectorFiles.js';
import { hashPayload } from '../src/envelope/index.js';
import { runSettlementOp } from '../src/settlement/settlementOp.js';
import { charterPayload, members, T0, USDC } from '../test/pools/fixtures.js';
import { memberAccount } from '../test/settlement/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outputDir = path.join(root, 'conformance-tests/vectors/v1/settlement');

type Case = {
  description: string;
  section: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
};

/** The vault the tests deploy first on a fresh anvil (default account, nonce 0), chain 31337. */
const ANVIL_DOMAIN = { chainId: 31337, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const BASE_DOMAIN = { chainId: 8453, verifyingContract: '0x00000000000000000000000000000000000005F1' };
/** The test token the tests deploy second (nonce 1). */
const ANVIL_TOKEN = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';

// The type strings, copied by hand from settlement.md#typed-data.
const SETTLEMENT_TYPE =
  'Settlement(bytes32 poolId,bytes32 claimId,uint32 round,address claimant,address asset,uint256 amount,Contribution[] contributions,uint64 epoch,bytes32 charterHash,uint64 filedAt,uint64 decidedAt,uint64 deadline)Contribution(address member,uint256 amount)';
const CONTRIBUTION_TYPE = 'Contribution(address member,uint256 amount)';
const CHARTER_TYPE =
  'Charter(bytes32 poolId,uint64 epoch,bytes32 charterHash,uint64 effectiveAt,address asset,Member[] members,uint16 quorumBps,uint16 minMembers,uint16 maxMemberWeightBps,uint256 perClaim,uint256 perMemberPerPeriod,uint256 perPeriod,uint64 periodMs,uint256 rateMaxAmount,uint64 rateWindowMs,uint64 votingMs,uint64 challengeMs,uint64 noticePeriodMs)Member(address member,uint64 weight,uint64 leavingAt,uint256 commitment)';
const MEMBER_TYPE = 'Member(address member,uint64 weight,uint64 leavingAt,uint256 commitment)';
const DOMAIN_TYPE = 'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)';

const th = (s: string) => keccak256(toHex(s));
const words = (types: string[], values: unknown[]) =>
  encodeAbiParameters(
    types.map((type) => ({ type })),
    values,
  );

function domainSeparator(d: { chainId: number; verifyingContract: string }): Hex {
  return keccak256(
    words(
      ['bytes32', 'bytes32', 'bytes32', 'uint256', 'address'],
      [th(DOMAIN_TYPE), th('SFR'), th('1'), BigInt(d.chainId), d.verifyingContract],
    ),
  );
}

type S = {
  poolId: Hex;
  claimId: Hex;
  round: number;
  claimant: Address;
  asset: Address;
  amount: string;
  contributions: { member: Address; amount: string }[];
  epoch: number;
  charterHash: Hex;
  filedAt: number;
  decidedAt: number;
  deadline: number;
};

function settlementStructHash(s: S): Hex {
  const items = s.contributions.map((c) =>
    keccak256(words(['bytes32', 'address', 'uint256'], [th(CONTRIBUTION_TYPE), c.member, BigInt(c.amount)])),
  );
  const list = keccak256(items.length === 0 ? '0x' : concat(items));
  return keccak256(
    words(
      [
        'bytes32',
        'bytes32',
        'bytes32',
        'uint256',
        'address',
        'address',
        'uint256',
        'bytes32',
        'uint256',
        'bytes32',
        'uint256',
        'uint256',
        'uint256',
      ],
      [
        th(SETTLEMENT_TYPE),
        s.poolId,
        s.claimId,
        BigInt(s.round),
        s.claimant,
        s.asset,
        BigInt(s.amount),
        list,
        BigInt(s.epoch),
        s.charterHash,
        BigInt(s.filedAt),
        BigInt(s.decidedAt),
        BigInt(s.deadline),
      ],
    ),
  );
}

type C = {
  poolId: Hex;
  epoch: number;
  charterHash: Hex;
  effectiveAt: number;
  asset: Address;
  members: { member: Address; weight: number; leavingAt: number; commitment: string }[];
  quorumBps: number;
  minMembers: number;
  maxMemberWeightBps: number;
  perClaim: string;
  perMemberPerPeriod: string;
  perPeriod: string;
  periodMs: number;
  rateMaxAmount: string;
  rateWindowMs: number;
  votingMs: number;
  challengeMs: number;
  noticePeriodMs: number;
};

function charterStructHash(c: C): Hex {
  const items = c.members.map((m) =>
    keccak256(
      words(
        ['bytes32', 'address', 'uint256', 'uint256', 'uint256'],
        [th(MEMBER_TYPE), m.member, BigInt(m.weight), BigInt(m.leavingAt), BigInt(m.commitment)],
      ),
    ),
  );
  return keccak256(
    words(
      [
        'bytes32',
        'bytes32',
        'uint256',
        'bytes32',
        'uint256',
        'address',
        'bytes32',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
        'uint256',
      ],
      [
        th(CHARTER_TYPE),
        c.poolId,
        BigInt(c.epoch),
        c.charterHash,
        BigInt(c.effectiveAt),
        c.asset,
        keccak256(concat(items)),
        BigInt(c.quorumBps),
        BigInt(c.minMembers),
        BigInt(c.maxMemberWeightBps),
        BigInt(c.perClaim),
        BigInt(c.perMemberPerPeriod),
        BigInt(c.perPeriod),
        BigInt(c.periodMs),
        BigInt(c.rateMaxAmount),
        BigInt(c.rateWindowMs),
        BigInt(c.votingMs),
        BigInt(c.challengeMs),
        BigInt(c.noticePeriodMs),
      ],
    ),
  );
}

function digestCase(
  description: string,
  domain: typeof ANVIL_DOMAIN,
  value: { settlement: S } | { charter: C },
): Case {
  const structHash =
    'settlement' in value ? settlementStructHash(value.settlement) : charterStructHash(value.charter);
  const separator = domainSeparator(domain);
  return {
    description,
    section: 'settlement.md#typed-data',
    input: { domain, ...value },
    expected: {
      typeHash: th('settlement' in value ? SETTLEMENT_TYPE : CHARTER_TYPE),
      structHash,
      domainSeparator: separator,
      digest: keccak256(concat(['0x1901', separator, structHash])),
    },
  };
}

/** The vault-test members (keys keccak256("sfr-vault-member-<i>")), ascending: a < b < c < d. */
const [a, b, c, d] = [1, 2, 3, 4]
  .map((i) => memberAccount(i).address)
  .sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1)) as [Address, Address, Address, Address];
const claimant = memberAccount(0).address;
const POOL = `0x${'5f'.repeat(32)}` as Hex;
const CLAIM = `0x${'c1'.repeat(32)}` as Hex;
const CHARTER_HASH = `0x${'ab'.repeat(32)}` as Hex;
const HOUR = 3_600_000;

function buildFiles(): Map<string, unknown> {
  const digest: Case[] = [];
  const settlement: S = {
    poolId: POOL,
    claimId: CLAIM,
    round: 0,
    claimant,
    asset: ANVIL_TOKEN,
    amount: '1000000001',
    contributions: [
      { member: a, amount: '250000001' },
      { member: b, amount: '250000000' },
      { member: c, amount: '250000000' },
      { member: d, amount: '250000000' },
    ],
    epoch: 0,
    charterHash: CHARTER_HASH,
    filedAt: T0,
    decidedAt: T0 + HOUR,
    deadline: T0 + HOUR + 2_592_000_000,
  };
  digest.push(
    digestCase('a settlement of four contributions under the anvil test vault', ANVIL_DOMAIN, { settlement }),
  );
  digest.push(
    digestCase('one contribution, epoch 3, round 0, a Base vault', BASE_DOMAIN, {
      settlement: {
        ...settlement,
        asset: USDC.address as Address,
        amount: '5',
        contributions: [{ member: b, amount: '5' }],
        epoch: 3,
      },
    }),
  );
  const charter: C = {
    poolId: POOL,
    epoch: 0,
    charterHash: CHARTER_HASH,
    effectiveAt: T0,
    asset: ANVIL_TOKEN,
    members: [
      { member: a, weight: 10, leavingAt: 0, commitment: '1000000000' },
      { member: b, weight: 20, leavingAt: T0 + 168 * HOUR, commitment: '2000000000' },
      { member: c, weight: 30, leavingAt: 0, commitment: '0' },
    ],
    quorumBps: 5000,
    minMembers: 2,
    maxMemberWeightBps: 4000,
    perClaim: '10000000000',
    perMemberPerPeriod: '10000000000',
    perPeriod: '20000000000',
    periodMs: 720 * HOUR,
    rateMaxAmount: '5000000000',
    rateWindowMs: HOUR,
    votingMs: 24 * HOUR,
    challengeMs: HOUR,
    noticePeriodMs: 168 * HOUR,
  };
  digest.push(
    digestCase("a charter's terms: three members, one leaving, one with no capital", ANVIL_DOMAIN, {
      charter,
    }),
  );

  // settlementOf: the snapshot is the pool tests' charter (USDC on Base), members keccak256("sfr-pool-member-<i>").
  const ms = members(
    [1000n, 1000n, 1000n, 1000n, 1000n].map((k) => ({ weight: 10, commit: k * 1_000_000n })),
  );
  const poolCharter = charterPayload(ms);
  const payloadHash = hashPayload(poolCharter);
  const addr = ms.map((m) => getAddress(m.key.address));
  const others = addr.slice(1).sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
  const decision = (over: Partial<ClaimDecision>): ClaimDecision => ({
    poolId: poolCharter.poolId,
    claimId: CLAIM,
    round: 0,
    outcome: 'approved',
    approvedAmount: '1000000001',
    contributions: [...others]
      .reverse()
      .map((m, i) => ({ member: m.toLowerCase() as Address, amount: i === 3 ? '250000001' : '250000000' })),
    attestations: [],
    decidedAt: T0 + 5 * HOUR,
    ...over,
  });
  const claim = { issuer: addr[0], issuedAt: T0 + 3 * HOUR };
  const snapshot = { epoch: 0, payloadHash, charter: poolCharter };
  const of: Case[] = [
    {
      description:
        'an approved decision: every field from the decision, the claim header and the snapshot; contributions re-sorted ascending',
      section: 'settlement.md#from-the-decision',
      input: { decision: decision({}), claim, snapshot },
      expected: {
        settleable: true,
        settlement: {
          poolId: poolCharter.poolId,
          claimId: CLAIM,
          round: 0,
          claimant: addr[0],
          asset: USDC.address,
          amount: '1000000001',
          contributions: others.map((m, i) => ({ member: m, amount: i === 0 ? '250000001' : '250000000' })),
          epoch: 0,
          charterHash: payloadHash,
          filedAt: T0 + 3 * HOUR,
          decidedAt: T0 + 5 * HOUR,
          deadline: T0 + 5 * HOUR + 2_592_000_000,
        },
      },
    },
    {
      description: 'a rejected decision has nothing to settle',
      section: 'settlement.md#from-the-decision',
      input: {
        decision: decision({ outcome: 'rejected', approvedAmount: '0', contributions: [] }),
        claim,
        snapshot,
      },
      expected: { settleable: false, code: 'VAULT_NOT_SETTLEABLE' },
    },
    {
      description: 'an approval of zero (all taken by the deductible) has nothing to settle',
      section: 'settlement.md#from-the-decision',
      input: { decision: decision({ approvedAmount: '0', contributions: [] }), claim, snapshot },
      expected: { settleable: false, code: 'VAULT_NOT_SETTLEABLE' },
    },
    {
      description:
        'a charter whose unit asset is on another chain than its settlement chain cannot settle on-chain',
      section: 'settlement.md#from-the-decision',
      input: {
        decision: decision({}),
        claim,
        snapshot: {
          ...snapshot,
          charter: { ...poolCharter, settlement: { ...poolCharter.settlement, chain: 'eip155:1' } },
        },
      },
      expected: { settleable: false, code: 'VAULT_NOT_SETTLEABLE' },
    },
  ];

  const split = (
    description: string,
    amount: string,
    parts: [Address, string][],
    expected: [Address, string][],
  ): Case => ({
    description,
    section: 'settlement.md#contributions',
    input: { amount, parts: parts.map(([member, remaining]) => ({ member, remaining })) },
    expected: { contributions: expected.map(([member, amt]) => ({ member, amount: amt })) },
  });
  const splits: Case[] = [
    split(
      'equal remainders: the one leftover unit goes to the lowest address',
      '1000000001',
      [
        [a, '1000000000'],
        [b, '1000000000'],
        [c, '1000000000'],
        [d, '1000000000'],
      ],
      [
        [a, '250000001'],
        [b, '250000000'],
        [c, '250000000'],
        [d, '250000000'],
      ],
    ),
    split(
      'unequal remainders 1:2:3 sharing 5: floors 0, 1, 2; the two leftover units to the largest remainders (a 5/6, b 4/6)',
      '5',
      [
        [a, '1'],
        [b, '2'],
        [c, '3'],
      ],
      [
        [a, '1'],
        [b, '2'],
        [c, '2'],
      ],
    ),
    split(
      'ties to the lower address whatever the input order; a zero share is omitted',
      '2',
      [
        [c, '1'],
        [b, '1'],
        [a, '1'],
      ],
      [
        [a, '1'],
        [b, '1'],
      ],
    ),
    split(
      'a member with no remaining capital pays nothing',
      '4',
      [
        [a, '0'],
        [b, '5'],
      ],
      [[b, '4']],
    ),
    split(
      'the whole remaining capital: each pays exactly its remainder',
      '3000000006',
      [
        [a, '1000000001'],
        [b, '2000000005'],
      ],
      [
        [a, '1000000001'],
        [b, '2000000005'],
      ],
    ),
  ];

  const turns = turnCases();

  for (const [op, cases] of [
    ['settlementDigest', digest],
    ['settlementOf', of],
    ['settlementSplit', splits],
    ['settlementTurns', turns],
  ] as const) {
    for (const k of cases) {
      const actual = runSettlementOp(op, k.input);
      if (!isDeepStrictEqual(actual, k.expected)) {
        throw new Error(
          `${op}: "${k.description}": the implementation answers ${JSON.stringify(actual)}, the spec says ${JSON.stringify(k.expected)}`,
        );
      }
    }
  }
  const file = (handler: string, suite: string, cases: Case[]) =>
    [
      `${handler}/${suite}.json`,
      {
        $comment:
          'Generated by reference-node/scripts/generate-settlement-vectors.ts; expected values written by hand from spec/v1/settlement.md.',
        runner: 'settlement',
        handler,
        suite,
        cases,
      },
    ] as const;
  return new Map<string, unknown>([
    file('settlementDigest', 'typedData', digest),
    file('settlementOf', 'fromDecision', of),
    file('settlementSplit', 'contributions', splits),
    file('settlementTurns', 'takingTurns', turns),
  ]);
}

/**
 * settlementTurns (settlement.md#taking-turns): five addresses written out in EIP-55, named in their
 * ascending lower-case order P < Q < R < S < V. Given in mixed case, R as `0xc50d…` and S as `0xCFB0…`
 * order the other way by code unit (`C` < `c`): only the lower-case order is the spec's.
 */
const P = '0x5BD3791AC1e156Be1e2Db99B902fB6334C175ddB';
const Q = '0x6ffC5B9bb1745207d52cc6cB36eaD4851210ac7c';
const R = '0xC50dD51705614B32C084f8cD7bbE96213DCC66c3';
const S = '0xcFB0583C5b5030990Be62f7ed49179140AAc92DC';
const V = '0xe96eaF7703Ff79A78E550D410a435D04D94B46c5';
const upper = (a: string) => `0x${a.slice(2).toUpperCase()}`;
const ADOPTED_AT = 1_765_000_000_000;
const DECIDED_AT = 1_765_100_000_000;
const DUE_SEEN_AT = 1_765_200_000_000;

function turnCases(): Case[] {
  for (const a of [P, Q, R, S, V]) if (getAddress(a) !== a) throw new Error(`${a} is not written in EIP-55`);
  const turn = (
    description: string,
    input: { effect: string; held: string[]; me: string; start: number; challengeMs: number },
    expected: { candidates: string[]; rank: number | null; actAt: number | null },
  ): Case => ({ description, section: 'settlement.md#taking-turns', input, expected });
  // Held as a node may hold them: out of order, lower, upper and EIP-55 case.
  const mixed = [upper(S), Q.toLowerCase(), R.toLowerCase(), P];
  const withRepeat = [R, Q.toLowerCase(), P, Q];
  return [
    turn(
      'register an epoch: candidates held out of order and in mixed case are ranked by lower-case address; rank 0 acts at adoptedAt',
      { effect: 'register', held: mixed, me: P.toLowerCase(), start: ADOPTED_AT, challengeMs: 3_600_000 },
      { candidates: [P, Q, R, S], rank: 0, actAt: 1_765_000_000_000 },
    ),
    turn(
      'register an epoch: rank 3 (0xcfb0… after 0xc50d…, whatever the case) takes over at adoptedAt + challengeMs × 3',
      { effect: 'register', held: mixed, me: upper(S), start: ADOPTED_AT, challengeMs: 3_600_000 },
      { candidates: [P, Q, R, S], rank: 3, actAt: 1_765_010_800_000 },
    ),
    turn(
      'register an epoch: rank 1 takes over one challenge window after adoptedAt',
      { effect: 'register', held: mixed, me: Q, start: ADOPTED_AT, challengeMs: 3_600_000 },
      { candidates: [P, Q, R, S], rank: 1, actAt: 1_765_003_600_000 },
    ),
    turn(
      'settle a claim: the same signer held twice (in two cases) is one candidate; rank 0 acts at decidedAt',
      { effect: 'settle', held: withRepeat, me: P, start: DECIDED_AT, challengeMs: 600_000 },
      { candidates: [P, Q, R], rank: 0, actAt: 1_765_100_000_000 },
    ),
    turn(
      'settle a claim: rank 1 takes over at decidedAt + challengeMs × (1 + 1), rank 0 having a window of its own',
      { effect: 'settle', held: withRepeat, me: Q.toLowerCase(), start: DECIDED_AT, challengeMs: 600_000 },
      { candidates: [P, Q, R], rank: 1, actAt: 1_765_101_200_000 },
    ),
    turn(
      'settle a claim: rank 2 (not 3: the repeated signer counts once) takes over at decidedAt + challengeMs × (1 + 2)',
      { effect: 'settle', held: withRepeat, me: R, start: DECIDED_AT, challengeMs: 600_000 },
      { candidates: [P, Q, R], rank: 2, actAt: 1_765_101_800_000 },
    ),
    turn(
      'settle a claim: a node that is no candidate takes no turn',
      { effect: 'settle', held: withRepeat, me: V, start: DECIDED_AT, challengeMs: 600_000 },
      { candidates: [P, Q, R], rank: null, actAt: null },
    ),
    turn(
      'release a held-back payout: rank 0 acts when it saw chain time reach nextReleaseAt',
      { effect: 'release', held: [V, S, Q], me: Q, start: DUE_SEEN_AT, challengeMs: 60_000 },
      { candidates: [Q, S, V], rank: 0, actAt: 1_765_200_000_000 },
    ),
    turn(
      'release a held-back payout: rank 2 takes over challengeMs × 2 after it saw that (the origin is the start)',
      { effect: 'release', held: [V, S, Q], me: V.toLowerCase(), start: DUE_SEEN_AT, challengeMs: 60_000 },
      { candidates: [Q, S, V], rank: 2, actAt: 1_765_200_120_000 },
    ),
    turn(
      'release a held-back payout: a node that is no candidate takes no turn',
      { effect: 'release', held: [V, S, Q], me: P, start: DUE_SEEN_AT, challengeMs: 60_000 },
      { candidates: [Q, S, V], rank: null, actAt: null },
    ),
  ];
}

export function generateSettlementVectors({ check }: { check: boolean }): number {
  return writeVectorFiles({
    label: 'settlement vectors',
    outputDir,
    files: buildFiles(),
    check,
    log: console.log,
  });
}

runIfMain(import.meta.url, 'generate-settlement-vectors.ts', generateSettlementVectors);
