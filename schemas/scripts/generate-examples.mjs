// Generates schemas/v1/examples/** — the schema examples, including signed envelopes whose
// EIP-712 signatures are made here with viem (an implementation independent of the node's own
// envelope library). Keys are fixed (keccak256("sfr-example:<name>")), so the output is
// deterministic. Usage: node schemas/scripts/generate-examples.mjs [--check]
// --check writes to a temporary folder and exits 1 naming every file that would change.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import * as viem from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const { keccak256, toHex, getAddress } = viem;
const check = process.argv.includes('--check');
const committed = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'v1', 'examples');
const root = check ? mkdtempSync(path.join(os.tmpdir(), 'sfr-examples-')) : committed;
rmSync(root, { recursive: true, force: true });
const clone = (x) => structuredClone(x);
const out = (kind, validity, name, doc, expect) => {
  const dir = path.join(root, kind, validity);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.json`),
    (typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2)) + '\n',
  );
  if (expect) writeFileSync(path.join(dir, `${name}.expect.json`), JSON.stringify(expect, null, 2) + '\n');
};
const bad = (kind, name, doc, description, code, pointer) =>
  out(kind, 'invalid', name, doc, { description, code, pointer });

// Deterministic example keys: keccak256("sfr-example:<name>"). Never use them for anything else.
const key = (name) => keccak256(toHex(`sfr-example:${name}`));
const members = Object.fromEntries(
  ['aave', 'compound', 'gmx', 'morpho'].map((n) => [n, privateKeyToAccount(key(n))]),
);
const types = {
  Envelope: [
    { name: 'sfr', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'issuer', type: 'address' },
    { name: 'seq', type: 'uint64' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'poolId', type: 'bytes32' },
    { name: 'epoch', type: 'uint64' },
    { name: 'payloadHash', type: 'bytes32' },
  ],
};
const ZERO32 = '0x' + '00'.repeat(32);
async function sign(account, type, seq, issuedAt, payload, scope, domainExtra, sfr = '1.0') {
  const domain = {
    name: 'SFR',
    version: '1',
    ...(domainExtra
      ? { chainId: domainExtra.chainId, verifyingContract: domainExtra.verifyingContract }
      : {}),
  };
  const payloadHash = keccak256(toHex(canonicalize(payload)));
  const signature = await account.signTypedData({
    domain,
    types,
    primaryType: 'Envelope',
    message: {
      sfr,
      type,
      issuer: account.address,
      seq: BigInt(seq),
      issuedAt: BigInt(issuedAt),
      poolId: scope?.poolId ?? ZERO32,
      epoch: BigInt(scope?.epoch ?? 0),
      payloadHash,
    },
  });
  const env = {
    sfr,
    type,
    issuer: account.address,
    seq,
    issuedAt,
    ...(scope ? { scope } : {}),
    ...(domainExtra ? { domain: domainExtra } : {}),
    payload,
    signature,
  };
  return env;
}
const messageId = (env) => keccak256(toHex(canonicalize(env)));

// Real deployments (addresses as published by each project).
const A = {
  usdcEth: {
    chain: 'eip155:1',
    address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
    symbol: 'USDC',
    decimals: 6,
  },
  wethEth: {
    chain: 'eip155:1',
    address: '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2',
    symbol: 'WETH',
    decimals: 18,
  },
  usdcArb: {
    chain: 'eip155:42161',
    address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
    symbol: 'USDC',
    decimals: 6,
  },
  wethArb: {
    chain: 'eip155:42161',
    address: '0x82aF49447D8a07e3bd95BD0d56f35241523fBab1',
    symbol: 'WETH',
    decimals: 18,
  },
  usdcBase: {
    chain: 'eip155:8453',
    address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    symbol: 'USDC',
    decimals: 6,
  },
  ethBase: { chain: 'eip155:8453', address: 'native', symbol: 'ETH', decimals: 18 },
};
const C = {
  aavePoolEth: '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2',
  aaveConfiguratorEth: '0x64b761D848206f447Fe2dd461b0c635Ec39EbB27',
  aaveOracleEth: '0x54586bE62E3c3580375aE3723C145253060Ca0C2',
  aavePoolArb: '0x794a61358D6845594F94dc1DB02A252b5b4814aD',
  aavePoolBase: '0xA238Dd80C259a72e81d7e4664a9801593F98d1c5',
  cometUsdcEth: '0xc3d688B66703497DAA19211EEdff47f25384cdc3',
  gmxEventEmitterArb: '0xC8ee91A54287DB53897056e12D9819156D3822Fb',
  gmxEthUsdMarketArb: '0x70d95587d40A2caf56bd97485aB3Eec10Bee6336',
  clEthUsdArb: '0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612',
  clEthUsdBase: '0x71041dddad3595F9CEd3DcCFBe3D1F4b0a16Bb70',
  clUsdcUsdEth: '0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6',
};
const T0 = {
  ReservePaused: '0xe188d542a5f11925d3a3af33703cdd30a43cb3e8066a3cf68b1b57f61a5a94b5',
  DeficitCreated: '0x2bccfb3fad376d59d7accf970515eb77b2f27b082c90ed0fb15583dd5a942699',
  PauseAction: '0x3be39979091ae7ca962aa1c44e645f2df3c221b79f324afa5f44aedc8d2f690d',
  AbsorbDebt: '0x1547a878dc89ad3c367b6338b4be6a65a5dd74fb77ae044da1e8747ef1f4f62f',
  EventLog1: '0x137a44067c8961cd7e1d876f4754a5a3a75989b4552f1843fc69c3b372def160',
  AnswerUpdated: '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f',
  ReserveFrozen: '0x0c4443d258a350d27dc50c378b2ebf165e6469725f786d21b30cab16823f5587',
};
// Block / tx hashes of the examples are illustrative (derived, not real chain data).
const h = (s) => keccak256(toHex(s));
const log = (chain, blockNumber, emitter, topic0, eventSignature, logIndex, tag) => ({
  type: 'log',
  chain,
  blockNumber,
  blockHash: h(`block:${chain}:${blockNumber}`),
  txHash: h(`tx:${tag}`),
  logIndex,
  emitter,
  topic0,
  eventSignature,
  confirmations: 64,
});

const t0 = 1767225600000; // 2026-01-01T00:00:00Z
// ---------------- RecoveryEvent
const rePause = {
  kind: 'emergency_pause',
  protocol: 'aave-v3',
  severity: 'high',
  occurredAt: t0,
  detectedAt: t0 + 14_000,
  scope: { chain: 'eip155:1', contracts: [C.aavePoolEth, C.aaveConfiguratorEth], assets: [A.usdcEth] },
  mechanism: 'guardian',
  evidence: [
    log(
      'eip155:1',
      24_136_800,
      C.aaveConfiguratorEth,
      T0.ReservePaused,
      'ReservePaused(address,bool)',
      212,
      'aave-pause',
    ),
  ],
  correlationId: 'aave-v3-eth-2026-01-01-usdc',
  summary: 'Emergency admin paused the USDC reserve on Aave v3 Ethereum.',
};
const reDeficit = {
  kind: 'bad_debt_realized',
  protocol: 'aave-v3',
  severity: 'critical',
  occurredAt: t0 + 3_600_000,
  detectedAt: t0 + 3_612_000,
  scope: { chain: 'eip155:42161', contracts: [C.aavePoolArb], assets: [A.usdcArb, A.wethArb] },
  amounts: [
    {
      role: 'deficit',
      amount: { asset: A.usdcArb, value: '1250000000000' },
      usdValue: { value: '125000000000000', decimals: 8 },
    },
  ],
  evidence: [
    log(
      'eip155:42161',
      290_412_377,
      C.aavePoolArb,
      T0.DeficitCreated,
      'DeficitCreated(address,address,uint256)',
      41,
      'aave-deficit',
    ),
  ],
  correlationId: 'aave-v3-arb-2026-01-01-weth-crash',
  extensions: { 'org.example.risk': { model: 'var-99', score: 91 } },
};
const reComet = {
  kind: 'insurance_fund_deployed',
  protocol: 'compound-v3',
  severity: 'medium',
  occurredAt: t0 + 7_200_000,
  detectedAt: t0 + 7_224_000,
  scope: {
    chain: 'eip155:1',
    contracts: [C.cometUsdcEth],
    markets: ['cUSDCv3'],
    assets: [A.usdcEth, A.wethEth],
  },
  mechanism: 'deficit_coverage',
  amounts: [
    { role: 'debt_absorbed', amount: { asset: A.usdcEth, value: '48211000000' } },
    { role: 'collateral_seized', amount: { asset: A.wethEth, value: '15300000000000000000' } },
  ],
  evidence: [
    log(
      'eip155:1',
      24_137_402,
      C.cometUsdcEth,
      T0.AbsorbDebt,
      'AbsorbDebt(address,address,uint256,uint256)',
      88,
      'comet-absorb',
    ),
  ],
};
const reCometPause = {
  kind: 'emergency_pause',
  protocol: 'compound-v3',
  severity: 'high',
  occurredAt: t0 + 7_300_000,
  detectedAt: t0 + 7_312_000,
  scope: { chain: 'eip155:1', contracts: [C.cometUsdcEth], markets: ['cUSDCv3'] },
  mechanism: 'guardian',
  evidence: [
    log(
      'eip155:1',
      24_137_410,
      C.cometUsdcEth,
      T0.PauseAction,
      'PauseAction(bool,bool,bool,bool,bool)',
      3,
      'comet-pause',
    ),
  ],
};
const reAdl = {
  kind: 'loss_socialized',
  protocol: 'gmx-v2',
  severity: 'high',
  occurredAt: t0 + 5_400_000,
  detectedAt: t0 + 5_401_500,
  scope: {
    chain: 'eip155:42161',
    contracts: [C.gmxEventEmitterArb],
    markets: [C.gmxEthUsdMarketArb],
    assets: [A.wethArb, A.usdcArb],
  },
  mechanism: 'auto_deleveraging',
  amounts: [{ role: 'deleveraged_notional', amount: { asset: A.usdcArb, value: '3400000000000' } }],
  evidence: [
    log(
      'eip155:42161',
      290_455_010,
      C.gmxEventEmitterArb,
      T0.EventLog1,
      'EventLog1(address,string,string,bytes32,EventLogData)',
      17,
      'gmx-adl-state',
    ),
    log(
      'eip155:42161',
      290_455_031,
      C.gmxEventEmitterArb,
      T0.EventLog1,
      'EventLog1(address,string,string,bytes32,EventLogData)',
      9,
      'gmx-adl-decrease',
    ),
  ],
  summary: 'ADL enabled on the ETH/USD market; profitable shorts partially deleveraged.',
};
const reOracle = {
  kind: 'oracle_failure',
  protocol: 'aave-v3',
  severity: 'high',
  occurredAt: t0 + 9_000_000,
  detectedAt: t0 + 9_060_000,
  scope: { chain: 'eip155:8453', contracts: [C.aavePoolBase], assets: [A.ethBase] },
  mechanism: 'stale',
  evidence: [
    {
      type: 'call',
      chain: 'eip155:8453',
      blockNumber: 40_120_500,
      blockHash: h('block:eip155:8453:40120500'),
      to: C.clEthUsdBase,
      data: '0xfeaf968c',
      result:
        '0x' +
        [
          '0000000000000000000000000000000000000000000000010000000000012a4f',
          '00000000000000000000000000000000000000000000000000000048c27395000'.slice(1),
          '00000000000000000000000000000000000000000000000000000000695b1f00',
          '00000000000000000000000000000000000000000000000000000000695b1f00',
          '0000000000000000000000000000000000000000000000010000000000012a4f',
        ].join(''),
      signature: 'latestRoundData()',
    },
  ],
};
const reExploit = {
  kind: 'exploit_suspected',
  protocol: 'gmx-v2',
  severity: 'critical',
  occurredAt: t0 + 10_000_000,
  detectedAt: t0 + 10_000_400,
  scope: { chain: 'eip155:42161', contracts: [C.gmxEthUsdMarketArb] },
  evidence: [],
  summary: 'Mempool monitor flagged a transaction draining the ETH/USD market; no block yet.',
};
out('RecoveryEvent', 'valid', 'aave-v3-reserve-paused', rePause);
out('RecoveryEvent', 'valid', 'aave-v3-deficit-created', reDeficit);
out('RecoveryEvent', 'valid', 'compound-v3-absorb-debt', reComet);
out('RecoveryEvent', 'valid', 'compound-v3-pause-action', reCometPause);
out('RecoveryEvent', 'valid', 'gmx-v2-auto-deleveraging', reAdl);
out('RecoveryEvent', 'valid', 'aave-v3-stale-oracle-call-evidence', reOracle);
out('RecoveryEvent', 'valid', 'gmx-v2-exploit-suspected-no-evidence', reExploit);
const edit = (base, f) => {
  const d = clone(base);
  f(d);
  return d;
};
const RE = 'RecoveryEvent';
bad(
  RE,
  'protocol-with-trailing-newline',
  edit(rePause, (d) => (d.protocol = `${d.protocol}\n`)),
  'patterns are ECMA-262 regular expressions: `$` does not match before a trailing newline',
  'SCHEMA_PATTERN',
  '/protocol',
);
bad(
  RE,
  'missing-kind',
  edit(rePause, (d) => delete d.kind),
  'kind is required',
  'SCHEMA_REQUIRED',
  '/kind',
);
bad(
  RE,
  'unknown-kind',
  edit(rePause, (d) => (d.kind = 'halted')),
  'kind is a closed enum within a minor version',
  'SCHEMA_ENUM',
  '/kind',
);
bad(
  RE,
  'amount-as-number',
  edit(reDeficit, (d) => (d.amounts[0].amount.value = 1250000000000)),
  'amounts are decimal strings, never JSON numbers',
  'SCHEMA_TYPE',
  '/amounts/0/amount/value',
);
bad(
  RE,
  'amount-uint256-overflow',
  edit(reDeficit, (d) => (d.amounts[0].amount.value = (2n ** 256n).toString())),
  'a Uint256 must be below 2^256',
  'SCHEMA_UINT256_OVERFLOW',
  '/amounts/0/amount/value',
);
bad(
  RE,
  'amount-leading-zero',
  edit(reDeficit, (d) => (d.amounts[0].amount.value = '01250000000000')),
  'decimal strings have no leading zeros',
  'SCHEMA_PATTERN',
  '/amounts/0/amount/value',
);
bad(
  RE,
  'amount-fraction',
  edit(reDeficit, (d) => (d.amounts[0].amount.value = '1250000.5')),
  'base-unit amounts are integers',
  'SCHEMA_PATTERN',
  '/amounts/0/amount/value',
);
bad(
  RE,
  'topic0-upper-case',
  edit(rePause, (d) => (d.evidence[0].topic0 = d.evidence[0].topic0.toUpperCase().replace('0X', '0x'))),
  'Bytes32 is lower-case hex',
  'SCHEMA_PATTERN',
  '/evidence/0/topic0',
);
bad(
  RE,
  'unknown-property',
  edit(rePause, (d) => (d.riskScore = 7)),
  'core objects are closed; unknown data goes under extensions',
  'SCHEMA_ADDITIONAL_PROPERTY',
  '/riskScore',
);
bad(
  RE,
  'pause-without-evidence',
  edit(rePause, (d) => (d.evidence = [])),
  'only exploit_suspected may carry no evidence',
  'SCHEMA_LENGTH',
  '/evidence',
);
bad(
  RE,
  'summary-too-long',
  edit(rePause, (d) => (d.summary = 'x'.repeat(281))),
  'summary is at most 280 characters',
  'SCHEMA_LENGTH',
  '/summary',
);
bad(
  RE,
  'mechanism-does-not-fit-kind',
  edit(reAdl, (d) => (d.mechanism = 'stale')),
  'loss_socialized takes a loss mechanism, not an oracle one',
  'SCHEMA_ENUM',
  '/mechanism',
);
bad(
  RE,
  'evidence-unknown-type',
  edit(rePause, (d) => (d.evidence[0].type = 'receipt')),
  'evidence type is log or call',
  'SCHEMA_ENUM',
  '/evidence/0/type',
);
bad(
  RE,
  'evidence-missing-type',
  edit(rePause, (d) => delete d.evidence[0].type),
  'evidence needs its type discriminator',
  'SCHEMA_REQUIRED',
  '/evidence/0/type',
);
bad(
  RE,
  'evidence-log-missing-block-hash',
  edit(rePause, (d) => delete d.evidence[0].blockHash),
  'a log reference pins its block hash',
  'SCHEMA_REQUIRED',
  '/evidence/0/blockHash',
);
bad(
  RE,
  'evidence-call-odd-hex',
  edit(reOracle, (d) => (d.evidence[0].data = '0xfeaf968')),
  'calldata is whole bytes of lower-case hex',
  'SCHEMA_PATTERN',
  '/evidence/0/data',
);
bad(
  RE,
  'duplicate-relates-to',
  edit(rePause, (d) => (d.relatesTo = [h('m1'), h('m1')])),
  'relatesTo lists each message once',
  'SCHEMA_DUPLICATE_ITEM',
  '/relatesTo/1',
);
bad(
  RE,
  'negative-block-number',
  edit(rePause, (d) => (d.evidence[0].blockNumber = -1)),
  'block numbers are non-negative',
  'SCHEMA_OUT_OF_RANGE',
  '/evidence/0/blockNumber',
);
bad(
  RE,
  'fractional-time',
  edit(rePause, (d) => (d.occurredAt = 1767225600000.5)),
  'times are integer milliseconds',
  'SCHEMA_TYPE',
  '/occurredAt',
);
bad(
  RE,
  'asset-decimals-78',
  edit(rePause, (d) => (d.scope.assets[0].decimals = 78)),
  'decimals are 0 … 77',
  'SCHEMA_OUT_OF_RANGE',
  '/scope/assets/0/decimals',
);
bad(
  RE,
  'chain-not-caip2',
  edit(rePause, (d) => (d.scope.chain = 'ethereum')),
  'chains are CAIP-2 ids',
  'SCHEMA_PATTERN',
  '/scope/chain',
);
bad(
  RE,
  'extension-namespace-not-reverse-dns',
  edit(rePause, (d) => (d.extensions = { Risk: { score: 1 } })),
  'extension keys are reverse-DNS namespaces',
  'SCHEMA_PROPERTY_NAME',
  '/extensions/Risk',
);
bad(
  RE,
  'extension-value-not-object',
  edit(rePause, (d) => (d.extensions = { 'org.example.risk': 5 })),
  'extension values are objects',
  'SCHEMA_TYPE',
  '/extensions/org.example.risk',
);
out(
  RE,
  'invalid',
  'prototype-key-in-extension',
  JSON.stringify(rePause, null, 2).replace(
    '"summary"',
    '"extensions": { "org.example.risk": { "__proto__": { "admin": true } } },\n  "summary"',
  ),
  {
    description: '__proto__, constructor and prototype keys are refused anywhere, extension data included',
    code: 'SCHEMA_FORBIDDEN_KEY',
    pointer: '/extensions/org.example.risk/__proto__',
  },
);
{
  let deep = {};
  const top = deep;
  for (let i = 0; i < 70; i++) {
    deep.n = {};
    deep = deep.n;
  }
  bad(
    RE,
    'nesting-too-deep',
    edit(rePause, (d) => (d.extensions = { 'org.example.deep': top })),
    'documents nest at most 64 levels (checked before parsing)',
    'SCHEMA_TOO_DEEP',
    '',
  );
}
bad(RE, 'not-an-object', [rePause], 'a document is an object', 'SCHEMA_TYPE', '');

// ---------------- ContagionAlert
const caDepeg = {
  subject: { kind: 'asset', chain: 'eip155:1', address: A.usdcEth.address, name: 'USDC' },
  indicator: 'depeg',
  severity: 'high',
  confidence: 8500,
  observedAt: t0 + 600_000,
  expiresAt: t0 + 600_000 + 21_600_000,
  recommendedActions: [
    { action: 'disable_borrowing', note: 'Stop new USDC borrows until the peg holds for an hour.' },
    { action: 'reduce_ltv' },
    {
      action: 'monitor',
      target: { kind: 'oracle_feed', chain: 'eip155:1', address: C.clUsdcUsdEth, name: 'USDC / USD' },
    },
  ],
  metrics: { priceE8: '95120000', deviationBps: 488, venues: 6 },
  evidence: [
    {
      type: 'call',
      chain: 'eip155:1',
      blockNumber: 24_136_850,
      blockHash: h('block:eip155:1:24136850'),
      to: C.clUsdcUsdEth,
      data: '0xfeaf968c',
      result:
        '0x' +
        '00'.repeat(31) +
        '01' +
        '00'.repeat(24) +
        '0000000005ab6980' +
        '00'.repeat(96) +
        '00'.repeat(31) +
        '01',
      signature: 'latestRoundData()',
    },
  ],
  summary: 'USDC trades at 0.951 across six venues.',
};
const caStale = {
  subject: { kind: 'oracle_feed', chain: 'eip155:42161', address: C.clEthUsdArb, name: 'ETH / USD' },
  indicator: 'stale_oracle',
  severity: 'medium',
  confidence: 9900,
  observedAt: t0 + 9_000_000,
  expiresAt: t0 + 12_600_000,
  recommendedActions: [{ action: 'pause_market' }, { action: 'switch_oracle' }],
  sourceEvents: [h('example:stale-oracle-event')],
  evidence: [
    log(
      'eip155:42161',
      290_500_000,
      C.clEthUsdArb,
      T0.AnswerUpdated,
      'AnswerUpdated(int256,uint256,uint256)',
      2,
      'cl-answer',
    ),
  ],
  metrics: { staleForMs: 5_400_000, heartbeatMs: 86_400_000 },
};
const caBridge = {
  subject: { kind: 'bridge', protocol: 'example-bridge', name: 'Example canonical bridge' },
  indicator: 'bridge_exploit',
  severity: 'critical',
  confidence: 6000,
  observedAt: t0 + 20_000_000,
  expiresAt: t0 + 106_400_000,
  recommendedActions: [
    {
      action: 'freeze_asset',
      target: {
        kind: 'asset',
        chain: 'eip155:8453',
        address: '0x4200000000000000000000000000000000000006',
        name: 'WETH',
      },
    },
    { action: 'halt_bridge_transfers' },
  ],
};
const caResolve = {
  subject: caDepeg.subject,
  indicator: 'depeg',
  severity: 'info',
  confidence: 9500,
  observedAt: t0 + 30_000_000,
  expiresAt: t0 + 30_600_000,
  recommendedActions: [],
  resolves: h('example:usdc-depeg-alert'),
  metrics: { priceE8: '99990000' },
  summary: 'USDC back within 10 bps of peg for 4 hours.',
};
out('ContagionAlert', 'valid', 'usdc-depeg', caDepeg);
out('ContagionAlert', 'valid', 'chainlink-eth-usd-stale-arbitrum', caStale);
out('ContagionAlert', 'valid', 'bridge-exploit-by-protocol', caBridge);
out('ContagionAlert', 'valid', 'usdc-depeg-resolved', caResolve);
const CA = 'ContagionAlert';
bad(
  CA,
  'confidence-above-10000',
  edit(caDepeg, (d) => (d.confidence = 10001)),
  'confidence is basis points, 0 … 10000',
  'SCHEMA_OUT_OF_RANGE',
  '/confidence',
);
bad(
  CA,
  'confidence-as-fraction',
  edit(caDepeg, (d) => (d.confidence = 0.85)),
  'confidence is integer basis points, not a float',
  'SCHEMA_TYPE',
  '/confidence',
);
bad(
  CA,
  'asset-subject-without-address',
  edit(caDepeg, (d) => delete d.subject.address),
  'an asset subject needs chain and address',
  'SCHEMA_REQUIRED',
  '/subject/address',
);
bad(
  CA,
  'protocol-subject-without-protocol',
  edit(caDepeg, (d) => (d.subject = { kind: 'protocol', name: 'Example' })),
  'a protocol subject needs protocol',
  'SCHEMA_REQUIRED',
  '/subject/protocol',
);
bad(
  CA,
  'bridge-subject-without-identity',
  edit(caBridge, (d) => (d.subject = { kind: 'bridge', name: 'Some bridge', chain: 'eip155:8453' })),
  'a bridge subject needs protocol, or chain and address: this one has a chain but no address',
  'SCHEMA_REQUIRED',
  '/subject/address',
);
bad(
  CA,
  'metric-float',
  edit(caDepeg, (d) => (d.metrics.price = 0.9512)),
  'metrics are integers or decimal strings, never floats',
  'SCHEMA_TYPE',
  '/metrics/price',
);
bad(
  CA,
  'metric-int256-overflow',
  edit(caDepeg, (d) => (d.metrics.exposure = (2n ** 255n).toString())),
  'an Int256 is below 2^255',
  'SCHEMA_INT256_OVERFLOW',
  '/metrics/exposure',
);
bad(
  CA,
  'metric-name-not-camel-case',
  edit(caDepeg, (d) => (d.metrics['price-e8'] = '1')),
  'metric names are camelCase',
  'SCHEMA_PROPERTY_NAME',
  '/metrics/price-e8',
);
bad(
  CA,
  'unknown-action',
  edit(caDepeg, (d) => (d.recommendedActions[0].action = 'panic')),
  'actions come from the registry (other for the rest)',
  'SCHEMA_ENUM',
  '/recommendedActions/0/action',
);
bad(
  CA,
  'missing-expiry',
  edit(caDepeg, (d) => delete d.expiresAt),
  'every alert expires',
  'SCHEMA_REQUIRED',
  '/expiresAt',
);
bad(
  CA,
  'too-many-actions',
  edit(caDepeg, (d) => (d.recommendedActions = Array.from({ length: 17 }, () => ({ action: 'monitor' })))),
  'at most 16 recommended actions',
  'SCHEMA_LENGTH',
  '/recommendedActions',
);
bad(
  CA,
  'severity-unknown-value',
  edit(caDepeg, (d) => (d.severity = 'severe')),
  'severity is unknown/info/low/medium/high/critical',
  'SCHEMA_ENUM',
  '/severity',
);

// ---------------- Pools
const poolId = h('sfr-example-pool:derivatives-mutual-2026');
const charter = {
  poolId,
  name: 'Derivatives mutual 2026',
  epoch: 0,
  effectiveAt: t0 - 86_400_000 * 30,
  members: [
    {
      member: members.aave.address,
      protocol: 'aave-v3',
      weight: 4000,
      commitments: [{ asset: A.usdcBase, value: '4000000000000' }],
    },
    {
      member: members.compound.address,
      protocol: 'compound-v3',
      weight: 3000,
      commitments: [{ asset: A.usdcBase, value: '3000000000000' }],
    },
    {
      member: members.gmx.address,
      protocol: 'gmx-v2',
      weight: 2000,
      commitments: [{ asset: A.usdcBase, value: '2000000000000' }],
    },
    {
      member: members.morpho.address,
      protocol: 'morpho-blue',
      weight: 1000,
      commitments: [{ asset: A.usdcBase, value: '1000000000000' }],
    },
  ],
  payoutAssets: [A.usdcBase],
  coveredKinds: ['bad_debt_realized', 'loss_socialized', 'oracle_failure', 'exploit_suspected'],
  deductible: { fixed: '10000000000', bps: 1000 },
  caps: {
    perClaim: '2000000000000',
    perMemberPerPeriod: '3000000000000',
    perPeriod: '5000000000000',
    periodMs: 2_592_000_000,
  },
  payoutRateLimit: { maxAmount: '1000000000000', windowMs: 86_400_000 },
  quorum: { weightBps: 6667, minMembers: 2 },
  maxMemberWeightBps: 4000,
  windows: { votingMs: 259_200_000, challengeMs: 86_400_000, cooldownMs: 604_800_000 },
  noticePeriodMs: 2_592_000_000,
  claimDeposit: { asset: A.usdcBase, value: '5000000000' },
  valuation: {
    unitAsset: A.usdcBase,
    method: 'pre_incident_median',
    lookbackMs: 3_600_000,
    maxDeviationBps: 200,
    feeds: [
      { asset: A.wethArb, chain: 'eip155:42161', feed: C.clEthUsdArb, decimals: 8 },
      { asset: A.usdcArb, chain: 'eip155:1', feed: C.clUsdcUsdEth, decimals: 8 },
    ],
  },
  settlement: { chain: 'eip155:8453', vault: getAddress('0x5f0c0a9e2c7d1b4e3a8f6d9c2b1e0a7f4d3c2b1a') },
};
const settleDomain = { chainId: 8453, verifyingContract: charter.settlement.vault };
const scope = { poolId, epoch: 0 };
out('PoolCharter', 'valid', 'four-member-derivatives-mutual', charter);
out(
  'PoolCharter',
  'valid',
  'amendment-epoch-1',
  edit(charter, (d) => {
    d.epoch = 1;
    d.previousCharter = h('example:charter-epoch-0');
    d.effectiveAt = t0 + 86_400_000;
    d.members[3].leavingAt = t0 + 86_400_000 * 31;
    d.quorum.weightBps = 7000;
  }),
);
const PC = 'PoolCharter';
bad(
  PC,
  'single-member',
  edit(charter, (d) => (d.members = d.members.slice(0, 1))),
  'a pool has at least two members',
  'SCHEMA_LENGTH',
  '/members',
);
bad(
  PC,
  'amendment-without-previous-charter',
  edit(charter, (d) => (d.epoch = 2)),
  'an amendment names the charter it replaces',
  'SCHEMA_REQUIRED',
  '/previousCharter',
);
bad(
  PC,
  'quorum-zero',
  edit(charter, (d) => (d.quorum.weightBps = 0)),
  'a quorum of 0 would let anyone approve alone',
  'SCHEMA_OUT_OF_RANGE',
  '/quorum/weightBps',
);
bad(
  PC,
  'duplicate-covered-kind',
  edit(charter, (d) => (d.coveredKinds = ['bad_debt_realized', 'bad_debt_realized'])),
  'covered kinds are listed once',
  'SCHEMA_DUPLICATE_ITEM',
  '/coveredKinds/1',
);
bad(
  PC,
  'zero-weight-member',
  edit(charter, (d) => (d.members[2].weight = 0)),
  'member weights are at least 1',
  'SCHEMA_OUT_OF_RANGE',
  '/members/2/weight',
);
bad(
  PC,
  'commitment-without-asset',
  edit(charter, (d) => delete d.members[0].commitments[0].asset),
  'a commitment names its asset',
  'SCHEMA_REQUIRED',
  '/members/0/commitments/0/asset',
);

const reDeficitEnv = await sign(members.aave, 'RecoveryEvent', 41, t0 + 3_613_000, reDeficit);
const claim = {
  poolId,
  incidentId: 'aave-v3-arb-2026-01-01-weth-crash',
  incidentWindow: { from: t0 + 3_000_000, to: t0 + 3_700_000 },
  coveredKind: 'bad_debt_realized',
  recoveryEvents: [messageId(reDeficitEnv)],
  evidence: reDeficit.evidence,
  losses: [{ role: 'deficit', amount: { asset: A.usdcArb, value: '1250000000000' } }],
  requestedAmount: '1250000000000',
  valuationInputs: [{ asset: A.usdcArb, price: '99990000', priceDecimals: 8, observedAt: t0 + 2_999_000 }],
  summary: 'WETH crash left 1.25M USDC of deficit on Aave v3 Arbitrum.',
};
// A retraction (messages.md#retraction): the issuer voids its deficit event above, whose log a reorg
// removed; the same kind, protocol, scope, occurredAt and evidence, severity info, relatesTo [retracts].
const retraction = {
  retracts: messageId(reDeficitEnv),
  reasonCode: 'EVIDENCE_REORGED',
  ancestorBlock: String(reDeficit.evidence[0].blockNumber - 2),
};
out('Retraction', 'valid', 'evidence-reorged', retraction);
out('Retraction', 'valid', 'without-ancestor', {
  retracts: retraction.retracts,
  reasonCode: 'EVIDENCE_REORGED',
});
bad(
  'Retraction',
  'unknown-reason',
  { ...retraction, reasonCode: 'PUBLISHED_IN_ERROR' },
  'EVIDENCE_REORGED is the only retraction reason of this version',
  'SCHEMA_ENUM',
  '/reasonCode',
);
bad(
  'Retraction',
  'retracts-not-message-id',
  { ...retraction, retracts: 'aave-v3-deficit' },
  'retracts is a message id',
  'SCHEMA_PATTERN',
  '/retracts',
);
out('RecoveryEvent', 'valid', 'retraction-of-reorged-deficit', {
  ...clone(reDeficit),
  severity: 'info',
  detectedAt: t0 + 3_700_000,
  relatesTo: [retraction.retracts],
  summary: 'Retracted: the deficit log was reorged out of the canonical chain.',
  extensions: { 'sfr.retraction': retraction },
});
out('FundClaim', 'valid', 'aave-v3-arbitrum-deficit', claim);
bad(
  'FundClaim',
  'no-recovery-events',
  edit(claim, (d) => (d.recoveryEvents = [])),
  'a claim cites at least one recovery event',
  'SCHEMA_LENGTH',
  '/recoveryEvents',
);
bad(
  'FundClaim',
  'negative-request',
  edit(claim, (d) => (d.requestedAmount = '-1250000000000')),
  'amounts are unsigned',
  'SCHEMA_PATTERN',
  '/requestedAmount',
);
bad(
  'FundClaim',
  'uncovered-kind-value',
  edit(claim, (d) => (d.coveredKind = 'hack')),
  'the covered kind is a recovery-event kind',
  'SCHEMA_ENUM',
  '/coveredKind',
);

const claimEnv = await sign(members.aave, 'FundClaim', 42, t0 + 3_800_000, claim, scope, settleDomain);
const claimId = messageId(claimEnv);
const checks = [{ index: 0, result: 'verified' }];
const attApprove = {
  poolId,
  claimId,
  round: 0,
  verdict: 'approve',
  approvedAmount: '1250000000000',
  evidenceChecks: checks,
  valuation: '1249875000000',
};
const attReject = {
  poolId,
  claimId,
  round: 0,
  verdict: 'reject',
  reasonCode: 'EVIDENCE_LOG_NOT_FOUND',
  evidenceChecks: [{ index: 0, result: 'not_found', code: 'EVIDENCE_LOG_NOT_FOUND' }],
  note: 'Our Arbitrum node has no such log at that block hash.',
};
const attAbstain = {
  poolId,
  claimId,
  round: 0,
  verdict: 'abstain',
  evidenceChecks: [{ index: 0, result: 'unavailable', code: 'EVIDENCE_CHAIN_UNAVAILABLE' }],
};
out('ClaimAttestation', 'valid', 'approve', attApprove);
out('ClaimAttestation', 'valid', 'reject-with-reason', attReject);
out('ClaimAttestation', 'valid', 'abstain', attAbstain);
const AT = 'ClaimAttestation';
bad(
  AT,
  'approve-without-amount',
  edit(attApprove, (d) => delete d.approvedAmount),
  'an approval states the amount approved',
  'SCHEMA_REQUIRED',
  '/approvedAmount',
);
bad(
  AT,
  'reject-with-amount',
  edit(attReject, (d) => (d.approvedAmount = '1')),
  'only an approval carries an amount',
  'SCHEMA_FORBIDDEN_PROPERTY',
  '/approvedAmount',
);
bad(
  AT,
  'reject-without-reason',
  edit(attReject, (d) => delete d.reasonCode),
  'a rejection states its reason code',
  'SCHEMA_REQUIRED',
  '/reasonCode',
);
bad(
  AT,
  'abstain-with-reason',
  edit(attAbstain, (d) => (d.reasonCode = 'EVIDENCE_LOG_NOT_FOUND')),
  'only a rejection carries a reason code',
  'SCHEMA_FORBIDDEN_PROPERTY',
  '/reasonCode',
);
bad(
  AT,
  'verdict-yes',
  edit(attApprove, (d) => (d.verdict = 'yes')),
  'verdict is approve, reject or abstain',
  'SCHEMA_ENUM',
  '/verdict',
);
bad(
  AT,
  'reason-code-not-upper-snake',
  edit(attReject, (d) => (d.reasonCode = 'log not found')),
  'reason codes are UPPER_SNAKE with a domain prefix',
  'SCHEMA_PATTERN',
  '/reasonCode',
);

const attEnvs = [
  await sign(members.compound, 'ClaimAttestation', 17, t0 + 4_000_000, attApprove, scope, settleDomain),
  await sign(
    members.gmx,
    'ClaimAttestation',
    9,
    t0 + 4_100_000,
    { ...attApprove, approvedAmount: '1240000000000', valuation: '1240000000000' },
    scope,
    settleDomain,
  ),
].sort((a, b) => (messageId(a) < messageId(b) ? -1 : 1));
const decision = {
  poolId,
  claimId,
  round: 0,
  outcome: 'approved',
  approvedAmount: '1000000000000',
  contributions: [
    { member: members.compound.address, amount: '500000000000' },
    { member: members.gmx.address, amount: '333333333334' },
    { member: members.morpho.address, amount: '166666666666' },
  ],
  shortfall: '0',
  tally: { approveWeight: 5000, rejectWeight: 0, abstainWeight: 0, totalWeight: 6000 },
  attestations: attEnvs,
  decidedAt: t0 + 4_100_000,
};
out('ClaimDecision', 'valid', 'approved-capped-by-rate-limit', decision);
out('ClaimDecision', 'valid', 'expired-no-quorum', {
  poolId,
  claimId,
  round: 0,
  outcome: 'expired',
  approvedAmount: '0',
  contributions: [],
  attestations: [attEnvs[0]],
  tally: { approveWeight: 3000, rejectWeight: 0, abstainWeight: 0, totalWeight: 6000 },
  decidedAt: t0 + 3_800_000 + 259_200_000,
});
bad(
  'ClaimDecision',
  'outcome-paid',
  edit(decision, (d) => (d.outcome = 'paid')),
  'payment is settlement, not an outcome',
  'SCHEMA_ENUM',
  '/outcome',
);
bad(
  'ClaimDecision',
  'attestation-not-signed',
  edit(decision, (d) => delete d.attestations[1].signature),
  'embedded attestations are whole signed envelopes',
  'SCHEMA_REQUIRED',
  '/attestations/1/signature',
);
bad(
  'ClaimDecision',
  'attestation-payload-invalid',
  edit(decision, (d) => delete d.attestations[0].payload.approvedAmount),
  'embedded attestations are validated as ClaimAttestation',
  'SCHEMA_REQUIRED',
  '/attestations/0/payload/approvedAmount',
);

// ---------------- Envelope
const eRe = await sign(members.aave, 'RecoveryEvent', 40, t0 + 15_000, rePause);
const eCa = await sign(members.compound, 'ContagionAlert', 18, t0 + 601_000, caDepeg);
out('Envelope', 'valid', 'recovery-event', eRe);
out('Envelope', 'valid', 'contagion-alert', eCa);
out('Envelope', 'valid', 'fund-claim-with-vault-domain', claimEnv);
out(
  'Envelope',
  'valid',
  'pool-charter-no-vault-domain',
  await sign(members.aave, 'PoolCharter', 3, t0 - 86_400_000 * 31, charter, scope),
);
const EN = 'Envelope';
bad(
  EN,
  'scope-on-recovery-event',
  edit(eRe, (d) => (d.scope = scope)),
  'scope is only for pool messages',
  'SCHEMA_FORBIDDEN_PROPERTY',
  '/scope',
);
bad(
  EN,
  'domain-on-alert',
  edit(eCa, (d) => (d.domain = settleDomain)),
  'domain is only for pool messages bound for a vault',
  'SCHEMA_FORBIDDEN_PROPERTY',
  '/domain',
);
bad(
  EN,
  'pool-message-without-scope',
  edit(claimEnv, (d) => delete d.scope),
  'pool messages carry their pool scope',
  'SCHEMA_REQUIRED',
  '/scope',
);
// A contract (ERC-1271) member's signature is whatever its isValidSignature accepts, up to 1 300
// bytes; that it is 65 bytes for an EOA is an envelope rule (envelope.md#signature), not a schema rule.
out(
  'Envelope',
  'valid',
  'contract-signature-1300-bytes',
  edit(eRe, (d) => (d.signature = `0x${'ab'.repeat(1300)}`)),
);
bad(
  EN,
  'signature-1301-bytes',
  edit(eRe, (d) => (d.signature = `0x${'ab'.repeat(1301)}`)),
  'a signature is at most 1 300 bytes (2 602 characters), the longest a contract member may send',
  'SCHEMA_LENGTH',
  '/signature',
);
bad(
  EN,
  'signature-odd-hex-digits',
  edit(eRe, (d) => (d.signature = `${d.signature}0`)),
  'a signature is lower-case hex of whole bytes',
  'SCHEMA_PATTERN',
  '/signature',
);
bad(
  EN,
  'unknown-type',
  edit(eRe, (d) => (d.type = 'Heartbeat')),
  'type is one of the v1 payload types',
  'SCHEMA_ENUM',
  '/type',
);
bad(
  EN,
  'payload-does-not-match-type',
  edit(eCa, (d) => delete d.payload.subject),
  'the payload is validated against the schema its type names (a ContagionAlert without its subject; one problem, so the expected issue is the first in any order)',
  'SCHEMA_REQUIRED',
  '/payload/subject',
);
bad(
  EN,
  'payload-missing-kind',
  edit(eRe, (d) => delete d.payload.kind),
  'payload errors point into the payload',
  'SCHEMA_REQUIRED',
  '/payload/kind',
);
bad(
  EN,
  'seq-negative',
  edit(eRe, (d) => (d.seq = -1)),
  'seq is 0 … 2^53−1',
  'SCHEMA_OUT_OF_RANGE',
  '/seq',
);
bad(
  EN,
  'seq-as-string',
  edit(eRe, (d) => (d.seq = '40')),
  'seq is a JSON integer',
  'SCHEMA_TYPE',
  '/seq',
);
bad(
  EN,
  'version-not-major-minor',
  edit(eRe, (d) => (d.sfr = 'v1')),
  'sfr is MAJOR.MINOR',
  'SCHEMA_PATTERN',
  '/sfr',
);
bad(
  EN,
  'issuer-not-address',
  edit(eRe, (d) => (d.issuer = 'aave.eth')),
  'issuer is an address',
  'SCHEMA_PATTERN',
  '/issuer',
);
bad(
  EN,
  'domain-chain-id-zero',
  edit(claimEnv, (d) => (d.domain.chainId = 0)),
  'EIP-155 chain ids start at 1',
  'SCHEMA_OUT_OF_RANGE',
  '/domain/chainId',
);
out(
  'Envelope',
  'valid',
  'future-minor-version',
  await sign(members.aave, 'RecoveryEvent', 43, t0 + 20_000, rePause, undefined, undefined, '1.1'),
);

// ---------------- NodeAnnouncement / EquivocationEvidence
const ann = {
  peerId: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA',
  member: members.aave.address,
  protocol: 'aave-v3',
  addresses: ['/ip4/203.0.113.10/tcp/9001', '/dns4/sfr.aave.example/tcp/9001'],
  specVersions: ['1.0'],
  capabilities: ['relay', 'sync', 'contagion', 'pools', 'attest', 'adapter'],
  heartbeat: { uptimeMs: 86_400_000, headSeq: 42, peers: 23 },
};
out('NodeAnnouncement', 'valid', 'with-heartbeat', ann);
out(
  'NodeAnnouncement',
  'valid',
  'key-rotation',
  edit(ann, (d) => {
    delete d.heartbeat;
    d.keyRotation = { newKey: members.morpho.address, effectiveFromSeq: 100 };
  }),
);
out(
  'NodeAnnouncement',
  'valid',
  'behind-nat-no-addresses',
  edit(ann, (d) => {
    d.addresses = [];
    d.capabilities = ['relay'];
    delete d.heartbeat;
  }),
);
const NA = 'NodeAnnouncement';
bad(
  NA,
  'no-spec-versions',
  edit(ann, (d) => (d.specVersions = [])),
  'a node accepts at least one version',
  'SCHEMA_LENGTH',
  '/specVersions',
);
bad(
  NA,
  'peer-id-not-base58',
  edit(ann, (d) => (d.peerId = '12D3KooW0OIl')),
  'peer ids are base58btc or base32 CIDs',
  'SCHEMA_PATTERN',
  '/peerId',
);
bad(
  NA,
  'duplicate-capability',
  edit(ann, (d) => (d.capabilities = ['relay', 'relay'])),
  'capabilities are listed once',
  'SCHEMA_DUPLICATE_ITEM',
  '/capabilities/1',
);
bad(
  NA,
  'heartbeat-without-head',
  edit(ann, (d) => delete d.heartbeat.headSeq),
  'a heartbeat states the head sequence',
  'SCHEMA_REQUIRED',
  '/heartbeat/headSeq',
);

const eRe2 = await sign(
  members.aave,
  'RecoveryEvent',
  40,
  t0 + 16_000,
  edit(rePause, (d) => (d.severity = 'critical')),
);
const [f, s] = [eRe, eRe2].sort((a, b) => (messageId(a) < messageId(b) ? -1 : 1));
const equiv = {
  offense: 'duplicate_seq',
  offender: members.aave.address,
  first: f,
  second: s,
  detectedAt: t0 + 16_500,
};
out('EquivocationEvidence', 'valid', 'duplicate-seq', equiv);
const [fa, sa] = [
  attEnvs.find((e) => e.issuer === members.gmx.address),
  await sign(members.gmx, 'ClaimAttestation', 10, t0 + 4_200_000, attReject, scope, settleDomain),
];
out('EquivocationEvidence', 'valid', 'conflicting-attestation', {
  offense: 'conflicting_attestation',
  offender: members.gmx.address,
  first: fa,
  second: sa,
});
bad(
  'EquivocationEvidence',
  'second-unsigned',
  edit(equiv, (d) => delete d.second.signature),
  'both envelopes are complete',
  'SCHEMA_REQUIRED',
  '/second/signature',
);
bad(
  'EquivocationEvidence',
  'unknown-offense',
  edit(equiv, (d) => (d.offense = 'double_vote')),
  'offense is a closed enum',
  'SCHEMA_ENUM',
  '/offense',
);

// ---------------- NodeConfig
const cfgMin = {
  identity: { keyFile: 'secrets/member.key', protocol: 'aave-v3' },
  dataDir: '.sfr-data/aave',
  network: { listen: ['/ip4/0.0.0.0/tcp/9001'] },
};
const cfgFull = {
  $schema: 'https://sfr.dev/schemas/v1/NodeConfig.schema.json',
  identity: { keyFile: 'secrets/member.key', member: members.aave.address, protocol: 'aave-v3' },
  dataDir: '/var/lib/sfr',
  network: {
    listen: ['/ip4/0.0.0.0/tcp/9001'],
    announce: ['/dns4/sfr.aave.example/tcp/9001'],
    bootstrap: ['/dns4/boot.sfr.example/tcp/9001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'],
    members: [
      {
        member: members.compound.address,
        peerId: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
        addresses: ['/dns4/sfr.compound.example/tcp/9001'],
      },
      // A member that is a Safe on Base: its envelopes are checked by ERC-1271 through chains[] eip155:8453.
      { member: '0x5aFE3855358E112B5647B952709E6165e1c1eEEe', contract: { chain: 'eip155:8453' } },
    ],
  },
  http: { host: '127.0.0.1', port: 7410, tokenFile: 'secrets/http.token' },
  gossip: {
    maxMessageBytes: 1_048_576,
    scoring: {
      ipColocationFactorWeight: -53,
      ipColocationFactorThreshold: 3,
      ipColocationFactorWhitelist: ['10.20.0.0/16'],
    },
  },
  time: { skewMs: 30_000, maxAgeMs: 86_400_000 },
  limits: { queuePerTopic: 1024, syncBatch: 256, httpBodyBytes: 1_048_576, seenCacheSize: 100_000 },
  logging: { level: 'info' },
  metrics: { enabled: true, host: '127.0.0.1', port: 9464 },
  chains: [
    { chain: 'eip155:1', rpcUrlFile: 'secrets/eth-rpc.url', confirmations: 12 },
    { chain: 'eip155:42161', rpcUrlFile: 'secrets/arb-rpc.url' },
    { chain: 'eip155:8453', rpcUrl: 'http://127.0.0.1:8545', confirmations: 0 },
  ],
  adapters: [
    {
      // The Aave v3 adapter's own config (adapters/aave-v3/README.md); rpcUrl and confirmations come from
      // the chains[] entry of chainId 1. Every example's entries are built by the real adapter in a test.
      package: '@sfr/adapter-aave-v3',
      config: {
        chainId: 1,
        pool: C.aavePoolEth,
        poolConfigurator: C.aaveConfiguratorEth,
        oracle: C.aaveOracleEth,
        reserves: [A.usdcEth, A.wethEth].map(({ address, symbol, decimals }) => ({
          address,
          symbol,
          decimals,
        })),
      },
    },
  ],
  exposure: {
    assets: [A.usdcEth, A.wethEth, A.usdcArb],
    oracles: [{ kind: 'oracle_feed', chain: 'eip155:1', address: C.clUsdcUsdEth, name: 'USDC / USD' }],
    protocols: ['compound-v3', 'gmx-v2'],
    bridges: [{ kind: 'bridge', protocol: 'arbitrum-bridge' }],
  },
  webhooks: [
    {
      url: 'https://ops.aave.example/hooks/sfr',
      secretFile: 'secrets/webhook.secret',
      events: ['alert', 'alert_resolved', 'claim_filed'],
      minSeverity: 'medium',
    },
  ],
  pools: [{ poolId, charterFile: 'pools/derivatives-mutual-2026.json' }],
  policy: {
    autoAttest: { enabled: true, maxApproveAmount: '250000000000', rejectOnEvidenceFailure: true },
    protectiveActions: [
      {
        name: 'pause-usdc-on-depeg',
        indicators: ['depeg'],
        minSeverity: 'high',
        minConfidenceBps: 9000,
        minIssuers: 2,
        command: ['/usr/local/bin/aave-guardian', 'pause', 'USDC'],
        timeoutMs: 10_000,
      },
    ],
  },
};
const cfgLocal = edit(cfgMin, (d) => {
  d.network.listen = ['/ip4/127.0.0.1/tcp/0'];
  d.http = { port: 0 };
  d.gossip = { scoring: { ipColocationFactorWeight: 0 } };
  d.logging = { level: 'warn' };
});
out('NodeConfig', 'valid', 'minimal', cfgMin);
out('NodeConfig', 'valid', 'production', cfgFull);
out('NodeConfig', 'valid', 'local-test-network', cfgLocal);
const NC = 'NodeConfig';
bad(
  NC,
  'webhook-url-not-uri',
  edit(cfgFull, (d) => (d.webhooks[0].url = 'ops.aave.example/hooks')),
  'webhook urls are absolute URIs',
  'SCHEMA_FORMAT',
  '/webhooks/0/url',
);
bad(
  NC,
  'chain-with-both-rpc-forms',
  edit(cfgFull, (d) => (d.chains[0].rpcUrl = 'http://127.0.0.1:8545')),
  'exactly one of rpcUrl and rpcUrlFile',
  'SCHEMA_ONE_OF',
  '/chains/0',
);
bad(
  NC,
  'http-port-out-of-range',
  edit(cfgFull, (d) => (d.http.port = 70000)),
  'ports are 0 … 65535',
  'SCHEMA_OUT_OF_RANGE',
  '/http/port',
);
bad(
  NC,
  'colocation-weight-positive',
  edit(cfgFull, (d) => (d.gossip.scoring.ipColocationFactorWeight = 5)),
  'the colocation weight is a penalty (≤ 0)',
  'SCHEMA_OUT_OF_RANGE',
  '/gossip/scoring/ipColocationFactorWeight',
);
bad(
  NC,
  'inline-private-key',
  edit(cfgMin, (d) => (d.identity.privateKey = '0x' + '11'.repeat(32))),
  'secrets are never inline: the config names a key file',
  'SCHEMA_ADDITIONAL_PROPERTY',
  '/identity/privateKey',
);
bad(
  NC,
  'missing-listen',
  edit(cfgMin, (d) => delete d.network.listen),
  'a node listens somewhere',
  'SCHEMA_REQUIRED',
  '/network/listen',
);
bad(
  NC,
  'contract-member-not-evm',
  edit(cfgFull, (d) => (d.network.members[1].contract.chain = 'solana:mainnet')),
  'a contract member is on an EVM chain (ERC-1271), named eip155:<chain id>',
  'SCHEMA_PATTERN',
  '/network/members/1/contract/chain',
);
bad(
  NC,
  'log-level-verbose',
  edit(cfgMin, (d) => (d.logging = { level: 'verbose' })),
  'log levels are pino levels',
  'SCHEMA_ENUM',
  '/logging/level',
);

// ---------------- HTTP bodies
out('SubmitRecoveryEventRequest', 'valid', 'pause', {
  payload: rePause,
  idempotencyKey: 'aave-pause-24136800-212',
});
out('SubmitRecoveryEventRequest', 'valid', 'with-issued-at', { payload: reAdl, issuedAt: t0 + 5_402_000 });
bad(
  'SubmitRecoveryEventRequest',
  'missing-payload',
  { issuedAt: t0 },
  'the request carries the payload',
  'SCHEMA_REQUIRED',
  '/payload',
);
bad(
  'SubmitRecoveryEventRequest',
  'payload-carries-a-signature',
  { payload: { ...rePause, signature: eRe.signature } },
  "the node signs; callers send the bare payload, without an envelope's signature",
  'SCHEMA_ADDITIONAL_PROPERTY',
  '/payload/signature',
);
out('SubmitAlertRequest', 'valid', 'depeg', { payload: caDepeg });
bad(
  'SubmitAlertRequest',
  'payload-bad-severity',
  { payload: edit(caDepeg, (d) => (d.severity = 'HIGH')) },
  'the payload is validated as a ContagionAlert',
  'SCHEMA_ENUM',
  '/payload/severity',
);
out('SubmitResponse', 'valid', 'recovery-event', { messageId: messageId(eRe), seq: 40, envelope: eRe });
bad(
  'SubmitResponse',
  'seq-as-string',
  { messageId: messageId(eRe), seq: '40', envelope: eRe },
  'seq is an integer',
  'SCHEMA_TYPE',
  '/seq',
);
out('MessageListResponse', 'valid', 'page-with-cursor', {
  items: [
    { messageId: messageId(eRe), receivedAt: t0 + 15_210, envelope: eRe },
    { messageId: messageId(eCa), receivedAt: t0 + 601_090, envelope: eCa },
  ],
  nextCursor: 'eyJzIjo0MiwiaSI6IjB4YWIifQ',
});
out('MessageListResponse', 'valid', 'last-page', { items: [] });
bad(
  'MessageListResponse',
  'cursor-not-base64url',
  { items: [], nextCursor: 'a+b/c=' },
  'cursors are base64url',
  'SCHEMA_PATTERN',
  '/nextCursor',
);
const status = {
  peerId: ann.peerId,
  member: members.aave.address,
  protocol: 'aave-v3',
  specVersions: ['1.0'],
  version: '0.1.0',
  startedAt: t0 - 86_400_000,
  headSeq: 42,
  peers: { connected: 23, members: 4 },
  topics: [
    { topic: '/sfr/1/recovery_events', meshPeers: 6 },
    { topic: '/sfr/1/contagion_alerts', meshPeers: 6 },
    { topic: `/sfr/1/pool/${poolId.slice(2)}`, meshPeers: 3 },
  ],
  store: { messages: 18_342, bytes: 41_231_872 },
  pools: [{ poolId, epoch: 0, openClaims: 1 }],
};
out('StatusResponse', 'valid', 'running-node', status);
out(
  'StatusResponse',
  'valid',
  'fresh-node',
  edit(status, (d) => {
    d.headSeq = null;
    d.peers = { connected: 0, members: 0 };
    d.topics = [];
    d.store = { messages: 0 };
    delete d.pools;
  }),
);
bad(
  'StatusResponse',
  'head-seq-negative',
  edit(status, (d) => (d.headSeq = -1)),
  'headSeq is null or a sequence number',
  'SCHEMA_OUT_OF_RANGE',
  '/headSeq',
);
out('HealthResponse', 'valid', 'degraded', {
  status: 'degraded',
  checks: [
    { name: 'store', status: 'ok' },
    { name: 'gossip', status: 'ok' },
    { name: 'chain:eip155:42161', status: 'down', detail: 'RPC timed out 3 times in a row.' },
  ],
});
bad(
  'HealthResponse',
  'status-fine',
  { status: 'fine', checks: [] },
  'status is ok, degraded or down',
  'SCHEMA_ENUM',
  '/status',
);
out('PeerListResponse', 'valid', 'two-peers', {
  peers: [
    {
      peerId: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
      member: members.compound.address,
      protocol: 'compound-v3',
      addresses: ['/ip4/198.51.100.7/tcp/9001'],
      connected: true,
      score: 12.5,
      topics: ['/sfr/1/recovery_events'],
    },
    { peerId: 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', addresses: [], connected: false },
  ],
});
bad(
  'PeerListResponse',
  'missing-connected',
  { peers: [{ peerId: 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', addresses: [] }] },
  'each peer says whether it is connected',
  'SCHEMA_REQUIRED',
  '/peers/0/connected',
);
const memberList = {
  heartbeatIntervalMs: 30_000,
  missedHeartbeats: 2,
  items: [
    {
      member: members.aave.address,
      protocol: 'aave-v3',
      status: 'live',
      self: true,
      peerId: ann.peerId,
      lastHeartbeatAt: t0 - 12_000,
      missedHeartbeats: 0,
    },
    {
      member: members.compound.address,
      protocol: 'compound-v3',
      status: 'silent',
      self: false,
      peerId: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
      // 2.5 intervals after its last heartbeat (node.md#liveness): 75 000 ms.
      lastHeartbeatAt: t0 - 80_000,
      missedHeartbeats: 2,
      silentSince: t0 - 5_000,
    },
    { member: members.gmx.address, status: 'unknown', self: false },
  ],
};
out('MemberListResponse', 'valid', 'live-silent-unknown', memberList);
bad(
  'MemberListResponse',
  'status-down',
  edit(memberList, (d) => (d.items[1].status = 'down')),
  'status is live, silent or unknown',
  'SCHEMA_ENUM',
  '/items/1/status',
);
const rotateKey = {
  keyFile: '/var/lib/sfr/keys/member-2.key.json',
  passwordFile: '/var/lib/sfr/keys/member-2.pass',
};
out('RotateKeyRequest', 'valid', 'keystore-with-passphrase-file', rotateKey);
out('RotateKeyRequest', 'valid', 'keystore-with-node-passphrase', { keyFile: rotateKey.keyFile });
bad(
  'RotateKeyRequest',
  'relative-key-file',
  { keyFile: 'member-2.key.json' },
  'keyFile is an absolute path on the node host',
  'SCHEMA_PATTERN',
  '/keyFile',
);
// A multisig member's proposal (node.md#multisig-members): a real 2-of-3 Safe's message hash of the
// envelope digest, signed by one owner (the Safe's address is the example Safe of NodeConfig).
const exampleSafe = '0x5aFE3855358E112B5647B952709E6165e1c1eEEe';
const safeOwners = [0, 1, 2].map((i) => privateKeyToAccount(key(`safe-owner-${i}`)));
const proposed = {
  sfr: '1.0',
  type: 'ContagionAlert',
  issuer: exampleSafe,
  seq: 7,
  issuedAt: t0 + 900_000,
  payload: caDepeg,
};
const proposalDigest = viem.hashTypedData({
  domain: { name: 'SFR', version: '1' },
  types,
  primaryType: 'Envelope',
  message: {
    ...proposed,
    seq: 7n,
    issuedAt: BigInt(proposed.issuedAt),
    poolId: ZERO32,
    epoch: 0n,
    payloadHash: keccak256(toHex(canonicalize(caDepeg))),
  },
});
// Step 1: keccak256(0x19 ‖ 0x01 ‖ domainSeparator(chainId, safe) ‖ keccak256(SAFE_MSG_TYPEHASH ‖ keccak256(d))).
const safeMessageHash = keccak256(
  viem.concat([
    '0x1901',
    keccak256(
      viem.encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
        [keccak256(toHex('EIP712Domain(uint256 chainId,address verifyingContract)')), 8453n, exampleSafe],
      ),
    ),
    keccak256(
      viem.encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }],
        [keccak256(toHex('SafeMessage(bytes message)')), keccak256(proposalDigest)],
      ),
    ),
  ]),
);
const ownerSignature = async (account) => ({
  owner: account.address,
  signature: await account.sign({ hash: safeMessageHash }),
});
const proposal = {
  id: proposalDigest,
  chain: 'eip155:8453',
  safeMessageHash,
  status: 'pending',
  seq: 7,
  issuedAt: proposed.issuedAt,
  expiresAt: proposed.issuedAt + 300_000,
  threshold: 2,
  signatures: [await ownerSignature(safeOwners[0])],
  envelope: proposed,
};
out('Proposal', 'valid', 'pending-one-of-two', proposal);
const publishedProposal = edit(proposal, (d) => {
  d.status = 'published';
  d.signatures.push({ owner: safeOwners[2].address, signature: '' });
});
publishedProposal.signatures[1] = await ownerSignature(safeOwners[2]);
publishedProposal.messageId = keccak256(
  toHex(
    canonicalize({
      ...proposed,
      // The Safe's blob: the two owners' signatures by ascending owner address.
      signature: viem.concat(
        [...publishedProposal.signatures]
          .sort((a, b) => (a.owner.toLowerCase() < b.owner.toLowerCase() ? -1 : 1))
          .map((x) => x.signature),
      ),
    }),
  ),
);
out('Proposal', 'valid', 'published', publishedProposal);
bad(
  'Proposal',
  'status-signed',
  edit(proposal, (d) => (d.status = 'signed')),
  'status is pending, published, refused or expired',
  'SCHEMA_ENUM',
  '/status',
);
out('ProposalListResponse', 'valid', 'one-pending', { proposals: [proposal] });
bad(
  'ProposalListResponse',
  'missing-safe-message-hash',
  { proposals: [edit(proposal, (d) => delete d.safeMessageHash)] },
  'each proposal names the hash its owners sign',
  'SCHEMA_REQUIRED',
  '/proposals/0/safeMessageHash',
);
out('SignProposalRequest', 'valid', 'owner-signature', { signature: proposal.signatures[0].signature });
bad(
  'SignProposalRequest',
  'signature-64-bytes',
  { signature: proposal.signatures[0].signature.slice(0, -2) },
  'a signature is 65 bytes',
  'SCHEMA_PATTERN',
  '/signature',
);
// The escrow routes (api.md, settlement.md#escrow): 250.5 USDC (6 decimals) is 250 500 000 base units.
out('EscrowRequest', 'valid', 'deposit-250.5-usdc', {
  amount: '250500000',
  idempotencyKey: 'deposit-2026-12-06',
});
bad(
  'EscrowRequest',
  'amount-in-token-units',
  { amount: '250.5' },
  'the amount is in base units, a decimal integer string',
  'SCHEMA_PATTERN',
  '/amount',
);
const escrowReceipt = {
  poolId,
  action: 'deposit',
  member: members.aave.address,
  amount: '250500000',
  asset: { address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', symbol: 'USDC', decimals: 6 },
  chain: 'eip155:1',
  vault: '0x00000000000000000000000000000000000057A1',
  transactionHash: h('sfr-example-tx:deposit'),
  blockNumber: '21400000',
  approvalHash: h('sfr-example-tx:approve'),
};
out('EscrowResponse', 'valid', 'deposit-mined', escrowReceipt);
bad(
  'EscrowResponse',
  'action-transfer',
  { ...escrowReceipt, action: 'transfer' },
  'a node sends only deposit or withdraw',
  'SCHEMA_ENUM',
  '/action',
);
// POST /v1/pools/{poolId}/claims/{claimId}/settle (settlement.md#settling-exactly-once rule 5).
out('SettleRequest', 'valid', 'empty', {});
bad(
  'SettleRequest',
  'names-an-amount',
  { amount: '1000000000' },
  'the decision fixes what is settled: the request names nothing',
  'SCHEMA_ADDITIONAL_PROPERTY',
  '/amount',
);
// 1 000 USDC decided; a rate limit of 400 USDC per window pays 400 at once and holds back 600.
const settled = {
  poolId,
  claimId: h('sfr-example-claim:settle'),
  chain: 'eip155:1',
  vault: '0x00000000000000000000000000000000000057A1',
  asset: { address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', symbol: 'USDC', decimals: 6 },
  amount: '1000000000',
  transactionHash: h('sfr-example-tx:settle'),
  blockNumber: '21400100',
  byThisNode: true,
  paid: '400000000',
  remaining: '600000000',
};
out('SettleResponse', 'valid', 'settled-rate-limited', settled);
bad(
  'SettleResponse',
  'paid-in-token-units',
  { ...settled, paid: '400.0' },
  'amounts are base units, decimal integer strings',
  'SCHEMA_ONE_OF',
  '/paid',
);
out('Problem', 'valid', 'invalid-body', {
  type: 'https://sfr.dev/problems/SCHEMA_REQUIRED',
  title: 'Request body is not valid',
  status: 400,
  code: 'SCHEMA_REQUIRED',
  pointer: '/payload/kind',
  expected: 'property "kind"',
  detail: 'missing required property "kind"',
  issues: [
    {
      code: 'SCHEMA_REQUIRED',
      pointer: '/payload/kind',
      message: 'missing required property "kind"',
      expected: 'property "kind"',
    },
  ],
});
out('Problem', 'valid', 'unauthorized', {
  type: 'https://sfr.dev/problems/API_UNAUTHORIZED',
  title: 'Missing or wrong bearer token',
  status: 401,
  code: 'API_UNAUTHORIZED',
  instance: '/v1/events',
});
bad(
  'Problem',
  'status-99',
  { type: 'about:blank', title: 'x', status: 99, code: 'API_INTERNAL' },
  'HTTP statuses are 100 … 599',
  'SCHEMA_OUT_OF_RANGE',
  '/status',
);
bad(
  'Problem',
  'pointer-not-json-pointer',
  { type: 'about:blank', title: 'x', status: 400, code: 'SCHEMA_TYPE', pointer: 'payload.kind' },
  'pointers are RFC 6901',
  'SCHEMA_FORMAT',
  '/pointer',
);
// PoolDecideResult: the harness `decide` result (pools.md#harness) of one approved, settled claim.
const decideId = (n) => `0x${n.repeat(64)}`;
const decided = {
  poolId,
  epochs: [{ epoch: 0, effectiveAt: t0, adoptedAt: t0 - 3_600_000, payloadHash: decideId('c') }],
  claims: [
    {
      claimId: decideId('1'),
      claimant: members.compound.address,
      incidentId: 'incident-1',
      filedAt: t0 + 10_800_000,
      epoch: 0,
      requestedAmount: '1000000000',
      status: 'settled',
      round: 0,
      closesAt: t0 + 18_000_000,
      standing: 'approved',
      tally: {
        approveWeight: 20,
        rejectWeight: 0,
        abstainWeight: 0,
        totalWeight: 30,
        approveCount: 2,
        rejectCount: 0,
        abstainCount: 0,
        eligibleCount: 3,
      },
      decision: {
        outcome: 'approved',
        decidedAt: t0 + 18_000_000,
        acceptedLoss: '1000000000',
        due: '1000000000',
        approvedAmount: '1000000000',
        shortfall: '0',
        haircutBps: 0,
        boundBy: 'none',
        contributions: [{ member: members.aave.address, amount: '1000000000' }],
        attestations: [decideId('2'), decideId('3')],
      },
      settlement: { firstAt: t0 + 18_000_000, lastAt: t0 + 18_000_000, tranches: 1 },
    },
  ],
  equivocations: [],
  refused: [{ messageId: decideId('4'), outcome: 'ignore', code: 'CLAIM_VOTE_LATE' }],
  ledger: {
    capital: '3000000000',
    paidOut: '1000000000',
    forfeitedDeposits: '0',
    members: [
      {
        member: members.aave.address,
        committed: '1000000000',
        contributed: '1000000000',
        received: '0',
        remaining: '0',
      },
    ],
  },
};
out('PoolDecideResult', 'valid', 'settled-claim', decided);
out('PoolDecideResult', 'valid', 'not-founded', {
  poolId: null,
  epochs: [],
  claims: [],
  equivocations: [],
  refused: [{ messageId: decideId('5'), outcome: 'ignore', code: 'POOL_NOT_FOUNDED' }],
  ledger: { capital: '0', paidOut: '0', forfeitedDeposits: '0', members: [] },
});
bad(
  'PoolDecideResult',
  'amount-as-number',
  edit(decided, (d) => (d.ledger.paidOut = 1000000000)),
  'amounts are decimal strings',
  'SCHEMA_TYPE',
  '/ledger/paidOut',
);
// ---------------- Scenario
// A crisis replay (node.md#crisis-replays): the smallest useful one, two nodes and one Pausable
// contract; the shipped scenarios are in reference-node/scenarios/ and validated by their own test.
const scenario = {
  $schema: 'https://sfr.dev/schemas/v1/Scenario.schema.json',
  name: 'pause-seen-everywhere',
  title: 'A guardian pause reaches every member',
  contracts: [{ name: 'vault', source: 'pausable/contracts/PausableMock.sol', contract: 'PausableMock' }],
  nodes: [
    {
      name: 'perps',
      protocol: 'example-perps',
      adapters: [
        {
          package: '@sfr/adapter-pausable',
          config: { protocol: 'example-perps', contracts: [{ address: '$vault', name: 'vault' }] },
        },
      ],
    },
    { name: 'lender', protocol: 'aave-v3', exposure: { protocols: ['example-perps'] } },
  ],
  steps: [{ note: 'the guardian pauses the vault', call: { contract: 'vault', function: 'pause()' } }],
  expect: {
    messages: [{ type: 'RecoveryEvent', issuer: 'perps', kind: 'emergency_pause' }],
    notices: [{ node: 'lender', event: 'recovery_event', kind: 'emergency_pause' }],
  },
};
out('Scenario', 'valid', 'pause-seen-everywhere', scenario);
bad(
  'Scenario',
  'step-with-two-actions',
  edit(scenario, (d) => (d.steps[0].advanceTime = { seconds: 60 })),
  'a step does exactly one thing',
  'SCHEMA_ONE_OF',
  '/steps/0',
);
bad(
  'Scenario',
  'one-node',
  edit(scenario, (d) => d.nodes.pop()),
  'a network has at least two nodes',
  'SCHEMA_LENGTH',
  '/nodes',
);
bad(
  'Scenario',
  'contract-outside-adapters',
  edit(scenario, (d) => (d.contracts[0].source = '../../etc/Evil.sol')),
  'test contracts come from an adapter folder',
  'SCHEMA_PATTERN',
  '/contracts/0/source',
);

function listFiles(dir, base = dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out = out.concat(listFiles(p, base));
    else out.push(path.relative(base, p));
  }
  return out.sort();
}

if (check) {
  const fresh = listFiles(root);
  const old = listFiles(committed);
  const stale = [];
  for (const f of new Set([...fresh, ...old])) {
    let a = null;
    let b = null;
    try {
      a = readFileSync(path.join(root, f), 'utf8');
    } catch {}
    try {
      b = readFileSync(path.join(committed, f), 'utf8');
    } catch {}
    if (a !== b) stale.push(f);
  }
  rmSync(root, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(
      `schemas/v1/examples is stale; run: node schemas/scripts/generate-examples.mjs\n  ${stale.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(`schemas/v1/examples: ${fresh.length} files up to date`);
} else {
  console.log('examples written');
}
