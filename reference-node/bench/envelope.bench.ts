/**
 * Envelope verification throughput per core, per crypto path, against viem's `verifyTypedData`
 * (the baseline) measured in the same run; plus keccak-256 of 1 KB per path.
 * Run: npm run bench -- envelope   (or npx tsx reference-node/bench/envelope.bench.ts)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { verifyTypedData, keccak256 as viemKeccak } from 'viem';
import {
  createMemorySigningJournal,
  deriveTestKey,
  getCryptoBackend,
  getSecpBackend,
  hashPayload,
  keccak256,
  signEnvelope,
  useCryptoBackend,
  verifyEnvelope,
} from '../src/envelope/index.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 1);

function measure(name: string, fn: () => void): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  const rate = n / SECONDS;
  return report(name, rate);
}

async function measureAsync(name: string, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10; i++) await fn();
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    await fn();
    n++;
  }
  return report(name, n / SECONDS);
}

const rows: Array<[string, number]> = [];
function report(name: string, rate: number): number {
  rows.push([name, rate]);
  return rate;
}

const key = deriveTestKey('sfr-test-key-1');
const T = 1_767_225_600_000;
// A realistic ~1 KB RecoveryEvent payload.
const payload = {
  kind: 'bad_debt_realized',
  protocol: 'aave-v3',
  severity: 'high',
  occurredAt: T - 60_000,
  detectedAt: T - 30_000,
  scope: { chain: 'eip155:1', contracts: ['0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2'], assets: [] },
  amounts: [
    {
      role: 'bad_debt',
      amount: {
        asset: {
          chain: 'eip155:1',
          address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
          symbol: 'USDC',
          decimals: 6,
        },
        value: '1250000000000',
      },
    },
  ],
  evidence: [
    {
      type: 'log',
      chain: 'eip155:1',
      blockNumber: 21_000_000,
      blockHash: `0x${'ab'.repeat(32)}`,
      txHash: `0x${'cd'.repeat(32)}`,
      logIndex: 17,
      emitter: '0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2',
      topic0: `0x${'ef'.repeat(32)}`,
    },
  ],
  summary: 'Bad debt realized after a liquidation cascade on the USDC market; covered by the treasury.',
};
const { envelope, wire } = await signEnvelope({
  privateKey: key.privateKey,
  guard: createMemorySigningJournal(),
  unsigned: { sfr: '1.0', type: 'RecoveryEvent', issuer: key.address, seq: 1, issuedAt: T, payload },
});
const ctx = { now: T };

const available = getCryptoBackend().available;
console.log(
  `# load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores (other work on the machine slows every figure alike)`,
);
console.log(
  `# cpu: ${os.cpus()[0]?.model ?? '?'}; envelope wire ${wire.length} bytes; ${SECONDS} s per figure; one core`,
);
console.log(`# fast paths loaded: wasm keccak=${available.wasm}, native secp256k1=${available.native}`);

// Verification paths.
useCryptoBackend({ keccak: 'wasm', secp: 'native' });
if (verifyEnvelope(wire, ctx).outcome !== 'accept') throw new Error('fast path does not verify');
const fast = measure('verifyEnvelope — native secp256k1 + WASM keccak', () => verifyEnvelope(wire, ctx));
useCryptoBackend({ keccak: 'noble', secp: 'noble' });
if (verifyEnvelope(wire, ctx).outcome !== 'accept') throw new Error('pure-JS path does not verify');
const pure = measure('verifyEnvelope — @noble/curves + @noble/hashes (pure JS)', () =>
  verifyEnvelope(wire, ctx),
);
useCryptoBackend({ keccak: 'wasm', secp: 'native' });
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
} as const;
const viemArgs = {
  address: key.address,
  domain: { name: 'SFR', version: '1' },
  types,
  primaryType: 'Envelope' as const,
  message: {
    sfr: '1.0',
    type: 'RecoveryEvent',
    issuer: key.address,
    seq: 1n,
    issuedAt: BigInt(T),
    poolId: `0x${'0'.repeat(64)}` as const,
    epoch: 0n,
    payloadHash: hashPayload(payload),
  },
  signature: envelope.signature,
};
if (!(await verifyTypedData(viemArgs))) throw new Error('viem does not verify');
const baseline = await measureAsync('viem verifyTypedData (baseline; typed data only, no decode)', () =>
  verifyTypedData(viemArgs),
);

// The signature recovery alone, for context (what the rest of verification costs on top).
const digest = new Uint8Array(randomBytes(32));
const sig = getSecpBackend().sign(digest, new Uint8Array(randomBytes(32)));
measure('  of which: one native ecdsaRecover alone', () =>
  getSecpBackend().recover(digest, sig.signature, sig.recid),
);

// keccak-256 of 1 KB.
const kb = new Uint8Array(randomBytes(1024));
useCryptoBackend({ keccak: 'wasm' });
const kWasm = measure('keccak-256 1 KB — hash-wasm (WASM)', () => keccak256(kb));
const kNoble = measure('keccak-256 1 KB — @noble/hashes', () => keccak_256(kb));
const kViem = measure('keccak-256 1 KB — viem keccak256 (baseline)', () => viemKeccak(kb));

const width = Math.max(...rows.map(([n]) => n.length));
for (const [name, rate] of rows)
  console.log(`${name.padEnd(width)}  ${Math.round(rate).toLocaleString('en-US').padStart(9)} /s`);
console.log(
  `speed-up vs viem: verify fast ${(fast / baseline).toFixed(1)}×, pure JS ${(pure / baseline).toFixed(1)}×; keccak WASM ${(kWasm / kViem).toFixed(1)}×, noble ${(kNoble / kViem).toFixed(1)}×`,
);
