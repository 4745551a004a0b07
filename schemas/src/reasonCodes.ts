import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registryDirUrl } from './schemaFiles.js';

/** One registered reason code (proposal 0001 §1). */
export interface ReasonCode {
  /** UPPER_SNAKE with its domain as prefix, e.g. `SCHEMA_REQUIRED`. */
  readonly code: string;
  /** `reject` / `ignore` are gossip verdicts; `error` is an API or caller error. */
  readonly outcome: 'reject' | 'ignore' | 'error';
  readonly meaning: string;
  /** The spec section, e.g. `schemas.md#issues`. */
  readonly section: string;
  /** The domain (the registry file) it belongs to. */
  readonly domain: string;
}

/** A registry file that could not be loaded; the other files still load. */
export interface ReasonCodeLoadError {
  readonly file: string;
  readonly message: string;
}

function loadRegistry(): { codes: ReasonCode[]; errors: ReasonCodeLoadError[] } {
  const codes: ReasonCode[] = [];
  const errors: ReasonCodeLoadError[] = [];
  let files: string[];
  try {
    files = readdirSync(fileURLToPath(registryDirUrl))
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (cause) {
    return { codes, errors: [{ file: '.', message: `registry folder unreadable: ${String(cause)}` }] };
  }
  for (const file of files) {
    try {
      const doc: unknown = JSON.parse(readFileSync(new URL(file, registryDirUrl), 'utf8'));
      const domain = (doc as { domain?: unknown }).domain;
      const list = (doc as { codes?: unknown }).codes;
      if (typeof domain !== 'string' || !Array.isArray(list))
        throw new Error('expected {domain, codes: [...]}');
      for (const entry of list as unknown[]) {
        const e = entry as Partial<Record<keyof ReasonCode, unknown>>;
        if (
          typeof e.code !== 'string' ||
          (e.outcome !== 'reject' && e.outcome !== 'ignore' && e.outcome !== 'error') ||
          typeof e.meaning !== 'string' ||
          typeof e.section !== 'string'
        ) {
          throw new Error(`malformed entry ${JSON.stringify(entry)}`);
        }
        codes.push(
          Object.freeze({ code: e.code, outcome: e.outcome, meaning: e.meaning, section: e.section, domain }),
        );
      }
    } catch (cause) {
      errors.push({ file, message: cause instanceof Error ? cause.message : String(cause) });
    }
  }
  return { codes, errors };
}

const loaded = loadRegistry();

/** Every reason code of every domain, merged from `schemas/v1/registry/reason-codes/*.json` at load. */
export const reasonCodes: readonly ReasonCode[] = Object.freeze(loaded.codes);

/** Registry files that failed to load (malformed JSON or entries); a test keeps this empty. */
export const reasonCodeLoadErrors: readonly ReasonCodeLoadError[] = Object.freeze(loaded.errors);

const byCode = new Map(reasonCodes.map((c) => [c.code, c]));

/** Looks a reason code up in the registry. */
export function getReasonCode(code: string): ReasonCode | undefined {
  return byCode.get(code);
}

export { isRegisteredReasonCode, registeredCodeOf } from './sfrError.js';
