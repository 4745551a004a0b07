// Validations per second per schema kind, over the kind's valid and invalid examples, beside two
// baselines measured in the same run:
//   - `JSON.parse` alone of the same texts (what parsing costs without any validation), and
//   - a naive validator that builds an ajv instance and compiles the schema on every call (what
//     "compile once" saves), measured on a few calls only because it is slow.
// Usage: npm run bench -- validate   (or: npx tsx schemas/bench/validate.bench.ts)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parseAndValidate, type SchemaKind, schemaIdOf, schemaKinds, validate } from '../src/index.js';
import { readSchemaDocuments } from '../src/schemaFiles.js';

const require = createRequire(import.meta.url);
const examplesDir = new URL('../v1/examples/', import.meta.url);
const budgetMs = Number(process.env['BENCH_MS'] ?? 250);

function load(kind: string, validity: 'valid' | 'invalid'): string[] {
  const dir = new URL(`${kind}/${validity}/`, examplesDir);
  return readdirSync(fileURLToPath(dir))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
    .sort()
    .map((f) => readFileSync(new URL(f, dir), 'utf8'));
}

/** Runs `fn` over the documents round-robin for about `budgetMs`; returns calls per second. */
function rate(docs: readonly unknown[], fn: (doc: unknown) => unknown, ms = budgetMs): number {
  for (let i = 0; i < Math.min(200, docs.length * 20); i++) fn(docs[i % docs.length]); // warm-up
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 64; i++) fn(docs[(calls + i) % docs.length]);
    calls += 64;
    now = process.hrtime.bigint();
  }
  return (calls * 1e9) / Number(now - start);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11);

console.log(
  `# @sfr/schemas validate — node ${process.version}, ajv ${require('ajv/package.json').version}, ` +
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${budgetMs} ms per figure; calls/s`,
);
console.log(
  `${'kind'.padEnd(28)} ${'validate ok'.padStart(11)} ${'validate bad'.padStart(12)} ${'parse+val ok'.padStart(12)} ${'JSON.parse'.padStart(11)} ${'parse share'.padStart(11)}`,
);
let totalValid = 0;
for (const kind of schemaKinds) {
  const validTexts = load(kind, 'valid');
  const invalidTexts = load(kind, 'invalid');
  const validDocs = validTexts.map((t) => JSON.parse(t) as unknown);
  const invalidDocs = invalidTexts.map((t) => JSON.parse(t) as unknown);
  for (const d of validDocs) if (!validate(kind, d).ok) throw new Error(`${kind}: a valid example fails`);
  const vOk = rate(validDocs, (d) => validate(kind as SchemaKind, d));
  const vBad = rate(invalidDocs, (d) => validate(kind as SchemaKind, d));
  const pOk = rate(validTexts, (t) => parseAndValidate(kind as SchemaKind, t as string));
  const parse = rate(validTexts, (t) => JSON.parse(t as string));
  totalValid += vOk;
  const share = `${Math.round((pOk / parse) * 100)} %`;
  console.log(
    `${kind.padEnd(28)} ${fmt(vOk)} ${fmt(vBad).padStart(12)} ${fmt(pOk).padStart(12)} ${fmt(parse)} ${share.padStart(11)}`,
  );
}
console.log(`(parse share = parse+validate rate as a share of the JSON.parse-only rate)`);

// The naive baseline: a fresh ajv and a compile per call, on RecoveryEvent.
const documents = readSchemaDocuments().map((d) => d.document as object);
const naive = (doc: unknown) => {
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    discriminator: true,
  });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'tsType', schemaType: 'string' });
  ajv.addFormat('uint256', { type: 'string', validate: () => true });
  ajv.addFormat('int256', { type: 'string', validate: () => true });
  for (const d of documents) ajv.addSchema(d);
  return ajv.getSchema(schemaIdOf('RecoveryEvent'))!(doc);
};
const reDocs = load('RecoveryEvent', 'valid').map((t) => JSON.parse(t) as unknown);
const naiveRate = rate(reDocs, naive, Math.max(budgetMs, 1000));
const cachedRate = rate(reDocs, (d) => validate('RecoveryEvent', d));
console.log(
  `\nRecoveryEvent: compiled once ${fmt(cachedRate).trim()} /s vs compile per call (naive baseline) ${naiveRate.toFixed(1)} /s → ${Math.round(cachedRate / naiveRate).toLocaleString('en-US')}×`,
);
console.log(`mean over kinds, valid documents: ${fmt(totalValid / schemaKinds.length).trim()} validations/s`);
