// Generates `src/generated/v1/reasonCodes.ts` from the reason-code registry
// (`v1/registry/reason-codes/<DOMAIN>.json`): each code with its outcome, by domain, and the unions
// the implementation types its codes with, so that a misspelt or unregistered code fails compilation.
//
// Usage: tsx schemas/scripts/generate-reason-codes.ts [--check]
//   --check  exit 1, printing which file is stale, if regenerating would change the checked-in output.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGenerated } from './writeGenerated.js';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const registryDir = path.join(packageDir, 'v1', 'registry', 'reason-codes');
const outFile = path.join(packageDir, 'src', 'generated', 'v1', 'reasonCodes.ts');

type Entry = { code: string; outcome: string };

function loadDomains(): { domain: string; codes: Entry[] }[] {
  return readdirSync(registryDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const doc = JSON.parse(readFileSync(path.join(registryDir, file), 'utf8')) as {
        domain?: unknown;
        codes?: unknown;
      };
      if (typeof doc.domain !== 'string' || `${doc.domain}.json` !== file || !Array.isArray(doc.codes))
        throw new Error(`${file}: expected {domain: "${file.slice(0, -5)}", codes: [...]}`);
      const codes = (doc.codes as Partial<Entry>[]).map((e) => {
        if (
          typeof e.code !== 'string' ||
          !e.code.startsWith(`${doc.domain}_`) ||
          !['reject', 'ignore', 'error'].includes(String(e.outcome))
        )
          throw new Error(`${file}: malformed entry ${JSON.stringify(e)}`);
        return { code: e.code, outcome: String(e.outcome) };
      });
      return { domain: doc.domain as string, codes };
    });
}

function generate(): string {
  const domains = loadDomains();
  const all = domains.flatMap((d) => d.codes);
  const union = (outcome: string) =>
    all
      .filter((c) => c.outcome === outcome)
      .map((c) => `\n  | '${c.code}'`)
      .join('');
  return [
    '// generated — do not edit. Source: schemas/v1/registry/reason-codes/*.json; regenerate with',
    '// `npm run -w @sfr/schemas generate` (schemas/scripts/generate-reason-codes.ts).',
    '',
    '/** Every registered reason code with its outcome, by domain (spec/v1/registries.md). */',
    'export const REGISTERED_REASON_CODES = {',
    ...domains.flatMap((d) => [
      `  ${d.domain}: {`,
      ...d.codes.map((c) => `    ${c.code}: '${c.outcome}',`),
      '  },',
    ]),
    '} as const;',
    '',
    '/** A registry domain (one file of schemas/v1/registry/reason-codes/). */',
    'export type ReasonCodeDomain = keyof typeof REGISTERED_REASON_CODES;',
    '',
    '/** `reject` / `ignore` are gossip verdicts; `error` is a caller or API error. */',
    "export type ReasonCodeOutcome = 'reject' | 'ignore' | 'error';",
    '',
    '/** The registered codes of one domain. */',
    'export type RegisteredCodeOf<D extends ReasonCodeDomain> = keyof (typeof REGISTERED_REASON_CODES)[D];',
    '',
    '/** Any registered reason code. */',
    'export type RegisteredReasonCode = { [D in ReasonCodeDomain]: RegisteredCodeOf<D> }[ReasonCodeDomain];',
    '',
    '/** The registered codes whose outcome is `reject`. */',
    `export type RejectCode =${union('reject')};`,
    '',
    '/** The registered codes whose outcome is `ignore`. */',
    `export type IgnoreCode =${union('ignore')};`,
    '',
    '/** The registered codes whose outcome is `error`. */',
    `export type ErrorCode =${union('error')};`,
    '',
  ].join('\n');
}

writeGenerated(outFile, generate());
