// The package's public surface: kinds, schemas on disk, the merged registry, and the generated types.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../src/index.js';
import {
  type ClaimAttestation,
  type Envelope,
  type EnvelopeOf,
  getSchema,
  type RecoveryEvent,
  type RecoveryEventKind,
  reasonCodeLoadErrors,
  reasonCodes,
  type SchemaKind,
  type SchemaTypeMap,
  schemaIdOf,
  schemaKinds,
  validate,
} from '../src/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('public API', () => {
  it('REGISTERED_REASON_CODES (generated) is the registry: every code with its outcome, by domain', () => {
    expect(
      Object.entries(api.REGISTERED_REASON_CODES).flatMap(([domain, codes]) =>
        Object.entries(codes).map(([code, outcome]) => ({ domain, code, outcome })),
      ),
    ).toEqual(reasonCodes.map(({ domain, code, outcome }) => ({ domain, code, outcome })));
  });

  it('exports exactly this surface', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "FIXED_TOPIC_NAMES",
        "MESSAGE_TYPES",
        "POOL_SCOPED_TYPES",
        "REGISTERED_REASON_CODES",
        "SfrError",
        "TOPIC_OF_TYPE",
        "commonSchemaId",
        "defaultLimits",
        "escapePointerToken",
        "getReasonCode",
        "getSchema",
        "isAddress",
        "isBytes32",
        "isHex",
        "isMessageId",
        "isMessageType",
        "isPoolId",
        "isPoolScopedType",
        "isRegisteredReasonCode",
        "isSchemaKind",
        "parseAndValidate",
        "reasonCodeLoadErrors",
        "reasonCodes",
        "registeredCodeOf",
        "schemaIdOf",
        "schemaKinds",
        "sfrMessage",
        "validate",
      ]
    `);
  });

  it('lists one kind per schema file (common.schema.json holds only shared definitions)', () => {
    const files = readdirSync(new URL('../v1/', import.meta.url))
      .filter((f) => f.endsWith('.schema.json') && f !== 'common.schema.json')
      .map((f) => f.replace('.schema.json', ''))
      .sort();
    expect([...schemaKinds].sort()).toEqual(files);
    for (const kind of schemaKinds) {
      const s = getSchema(kind)!;
      expect(s['$id']).toBe(schemaIdOf(kind));
      expect(s['title']).toBe(kind);
      expect(s['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(typeof s['description']).toBe('string');
    }
  });

  it('gives every property of every schema a description', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${where}/${i}`);
      }
      if (typeof node !== 'object' || node === null) return;
      const props = (node as Record<string, unknown>)['properties'];
      if (typeof props === 'object' && props !== null && !where.includes('/if')) {
        for (const [name, sub] of Object.entries(props)) {
          const s = sub as Record<string, unknown>;
          const described =
            typeof s['description'] === 'string' || typeof s['$ref'] === 'string' || sub === false;
          if (!described && !where.includes('/then')) missing.push(`${where}/properties/${name}`);
        }
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
    };
    for (const kind of [...schemaKinds, 'common']) walk(getSchema(kind), kind);
    expect(missing).toEqual([]);
  });

  it('merges every registry file without error, each code prefixed by its domain and unique', () => {
    expect(reasonCodeLoadErrors).toEqual([]);
    const seen = new Set<string>();
    for (const c of reasonCodes) {
      expect(c.code.startsWith(`${c.domain}_`), c.code).toBe(true);
      expect(seen.has(c.code), c.code).toBe(false);
      seen.add(c.code);
    }
    expect(reasonCodes.some((c) => c.code === 'SCHEMA_REQUIRED')).toBe(true);
    expect(Object.isFrozen(reasonCodes)).toBe(true);
  });

  it('types validate() results by kind', () => {
    const r = validate('RecoveryEvent', {});
    if (r.ok) expectTypeOf(r.value).toEqualTypeOf<RecoveryEvent>();
    expectTypeOf<RecoveryEvent['kind']>().toEqualTypeOf<RecoveryEventKind>();
    expectTypeOf<SchemaTypeMap['Envelope']>().toEqualTypeOf<Envelope>();
    expectTypeOf<EnvelopeOf<'ClaimAttestation'>['payload']>().toEqualTypeOf<ClaimAttestation>();
    expectTypeOf<SchemaKind>().toEqualTypeOf<keyof SchemaTypeMap>();
    const loose = validate('whatever' as string, {});
    if (loose.ok) expectTypeOf(loose.value).toBeUnknown();
  });
});

describe('generated types', () => {
  it('are up to date (regenerating changes nothing)', () => {
    const out = execFileSync(
      process.execPath,
      [`${packageDir}../node_modules/tsx/dist/cli.mjs`, 'scripts/generate-types.ts', '--check'],
      { cwd: packageDir, encoding: 'utf8', timeout: 60_000 },
    );
    expect(out).toContain('is up to date');
  });
});
