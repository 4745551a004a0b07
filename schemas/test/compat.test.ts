import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildReport, formatReport, isFailing } from '../scripts/compat/buildReport.js';
import { diffSchemaSets } from '../scripts/compat/diffSchemaSets.js';
import { compareVersions, findLatestRelease } from '../scripts/compat/findLatestRelease.js';
import { CompatInputError, loadSchemaSet, parseIdMajor } from '../scripts/compat/loadSchemaSet.js';
import { type Change, changeClasses } from '../scripts/compat/types.js';

const schemasDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const repoRoot = resolve(schemasDir, '..');
const fixtures = join(schemasDir, 'fixtures/compat');

/** The fields that state a classification; `detail` wording is checked in a few cases below. */
type Row = [Change['class'], string, Change['producers'], Change['consumers'], boolean];
const P = 'breaking' as const;
const C = 'compatible' as const;

function diffFixture(name: string): Change[] {
  return diffSchemaSets(
    loadSchemaSet(join(fixtures, name, 'old')),
    loadSchemaSet(join(fixtures, name, 'new')),
  );
}

function rows(changes: readonly Change[]): Row[] {
  return changes.map((c) => [
    c.class,
    `${c.schema}#${c.pointer}`,
    c.producers,
    c.consumers,
    c.minorAdmissible,
  ]);
}

// One entry per fixture: the exact list of changes the checker must report, in report order.
// Columns: class, schema location, producers, consumers, admissible in a MINOR (proposal 0001 §3).
const expected: Record<string, Row[]> = {
  identical: [],
  'required-added': [['REQUIRED_ADDED', 'Thing.schema.json#', P, C, false]],
  'required-removed': [['REQUIRED_REMOVED', 'Thing.schema.json#', C, P, false]],
  'property-added-optional': [['PROPERTY_ADDED', 'Thing.schema.json#/properties/b', C, P, true]],
  'property-added-required': [
    ['REQUIRED_ADDED', 'Thing.schema.json#', P, C, false],
    ['PROPERTY_ADDED', 'Thing.schema.json#/properties/b', C, P, false],
  ],
  'property-added-open': [['PROPERTY_ADDED', 'Thing.schema.json#/properties/b', P, C, false]],
  'property-removed': [['PROPERTY_REMOVED', 'Thing.schema.json#/properties/b', P, C, false]],
  'property-removed-open': [['PROPERTY_REMOVED', 'Thing.schema.json#/properties/b', C, P, false]],
  'enum-narrowed': [['ENUM_NARROWED', 'Thing.schema.json#/properties/severity', P, C, false]],
  'enum-widened': [['ENUM_WIDENED', 'Thing.schema.json#/properties/severity', C, P, false]],
  'enum-widened-open': [['ENUM_WIDENED', 'Thing.schema.json#/properties/severity', C, P, true]],
  'enum-changed': [['ENUM_CHANGED', 'Thing.schema.json#/properties/severity', P, P, false]],
  'const-changed': [['ENUM_CHANGED', 'Thing.schema.json#/properties/v', P, P, false]],
  'type-narrowed': [['TYPE_NARROWED', 'Thing.schema.json#/properties/n', P, C, false]],
  'type-widened': [['TYPE_WIDENED', 'Thing.schema.json#/properties/n', C, P, false]],
  'type-changed': [['TYPE_CHANGED', 'Thing.schema.json#/properties/n', P, P, false]],
  'bound-tightened': [
    ['BOUND_TIGHTENED', 'Thing.schema.json#/properties/l', P, C, false],
    ['BOUND_TIGHTENED', 'Thing.schema.json#/properties/n', P, C, false],
    ['BOUND_TIGHTENED', 'Thing.schema.json#/properties/s', P, C, false],
    ['BOUND_TIGHTENED', 'Thing.schema.json#/properties/s', P, C, false],
  ],
  'bound-loosened': [
    ['BOUND_LOOSENED', 'Thing.schema.json#/properties/l', C, P, false],
    ['BOUND_LOOSENED', 'Thing.schema.json#/properties/n', C, P, false],
    ['BOUND_LOOSENED', 'Thing.schema.json#/properties/s', C, P, false],
    ['BOUND_LOOSENED', 'Thing.schema.json#/properties/s', C, P, false],
  ],
  // A shared definition referenced from Thing: reported once, where it is defined.
  'pattern-changed': [['PATTERN_CHANGED', 'common.schema.json#/$defs/Address', P, P, false]],
  'additional-properties-tightened': [['ADDITIONAL_PROPERTIES_TIGHTENED', 'Thing.schema.json#', P, C, false]],
  'additional-properties-loosened': [['ADDITIONAL_PROPERTIES_LOOSENED', 'Thing.schema.json#', C, P, false]],
  'additional-properties-schema': [
    ['BOUND_TIGHTENED', 'Thing.schema.json#/additionalProperties', P, C, false],
  ],
  'id-changed': [['ID_CHANGED', 'Thing.schema.json#', P, P, false]],
  'major-bump': [
    ['ID_CHANGED', 'common.schema.json#', P, P, false],
    ['ID_CHANGED', 'Thing.schema.json#', P, P, false],
    ['REQUIRED_ADDED', 'Thing.schema.json#', P, C, false],
  ],
  'schema-removed': [['SCHEMA_REMOVED', 'Other.schema.json#', P, C, false]],
  'schema-added': [['SCHEMA_ADDED', 'Other.schema.json#', C, C, true]],
  // The $ref now points at a definition with a tighter bound: the walk compares the two targets.
  'ref-target-changed': [
    ['BOUND_TIGHTENED', 'common.schema.json#/$defs/AmountA/properties/value', P, C, false],
    ['REF_TARGET_CHANGED', 'Thing.schema.json#/properties/amount', C, C, false],
  ],
  'ref-unresolved': [['REF_UNRESOLVED', 'Thing.schema.json#/properties/amount', P, P, false]],
  // Inlining the same definition changes nothing that validation sees.
  'ref-inlined': [['REF_TARGET_CHANGED', 'Thing.schema.json#/properties/amount', C, C, false]],
  'def-added': [['DEF_ADDED', 'common.schema.json#/$defs/Bps', C, C, true]],
  'def-removed': [['DEF_REMOVED', 'common.schema.json#/$defs/Bps', P, C, false]],
  // oneOf branches are paired by their `const` discriminator, not by position.
  'branch-added': [['BRANCH_ADDED', 'Thing.schema.json#/properties/evidence/items/oneOf/0', C, P, false]],
  'branch-removed': [
    [
      'BOUND_TIGHTENED',
      'Thing.schema.json#/properties/evidence/items/oneOf/0/properties/logIndex',
      P,
      C,
      false,
    ],
    ['BRANCH_REMOVED', 'Thing.schema.json#/properties/evidence/items/oneOf/1', P, C, false],
  ],
  // A conditional rule inserted into allOf: paired by its `if`, so only the new rule is reported.
  'conditional-rule-added': [['BRANCH_ADDED', 'Thing.schema.json#/allOf/1', P, C, false]],
  'keyword-changed': [['KEYWORD_CHANGED', 'Thing.schema.json#', P, P, false]],
  // `items: {$ref: '#'}` recurses; the walk terminates and reports the change once.
  'recursive-ref': [['BOUND_TIGHTENED', 'Envelope.schema.json#/properties/seq', P, C, false]],
  'boolean-schema': [
    ['BOUND_TIGHTENED', 'Thing.schema.json#/properties/x', P, C, false],
    ['BOUND_LOOSENED', 'Thing.schema.json#/properties/y', C, P, false],
  ],
};

describe('diffSchemaSets classifies each fixture', () => {
  it('has an expectation for every fixture folder and a folder for every expectation', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(expected).sort());
  });

  it('covers every change class with at least one fixture', () => {
    const covered = new Set(Object.values(expected).flatMap((list) => list.map((row) => row[0])));
    expect(changeClasses.filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each(Object.entries(expected))('%s', (name, rows_) => {
    expect(rows(diffFixture(name))).toEqual(rows_);
  });

  it('reports instance paths through $refs, items and properties', () => {
    expect(diffFixture('ref-target-changed').map((c) => c.instancePath)).toEqual([
      '/amount/value',
      '/amount',
    ]);
    expect(diffFixture('branch-removed').map((c) => c.instancePath)).toEqual([
      '/evidence/*/logIndex',
      '/evidence/*',
    ]);
    expect(diffFixture('required-added')[0]?.instancePath).toBe('/b');
  });

  it('states what changed in the detail', () => {
    expect(diffFixture('bound-tightened').map((c) => c.detail)).toEqual([
      'minItems undefined -> 1',
      'minimum 0 -> 1',
      'maxLength 280 -> 140',
      'pattern undefined -> "^[a-z ]*$"',
    ]);
    expect(diffFixture('enum-widened-open')[0]?.detail).toBe('added "critical" (extensible enum)');
  });

  it('marks changes across majors as not same-major, and within a major as same-major', () => {
    expect(diffFixture('major-bump').every((c) => !c.sameMajor)).toBe(true);
    expect(diffFixture('id-changed').every((c) => c.sameMajor)).toBe(true);
  });

  it('is deterministic: the same input gives the same list', () => {
    expect(diffFixture('bound-loosened')).toEqual(diffFixture('bound-loosened'));
  });

  it('compares a set with itself as unchanged', () => {
    const set = loadSchemaSet(join(fixtures, 'ref-target-changed', 'new'));
    expect(diffSchemaSets(set, set)).toEqual([]);
  });
});

describe('the released v1 schema set', () => {
  const released = findLatestRelease(join(schemasDir, 'released'))!;

  it('compares with itself as unchanged: every $ref resolves and recursive refs terminate', () => {
    const set = loadSchemaSet(released);
    expect(set.files.size).toBeGreaterThan(5);
    expect(diffSchemaSets(set, loadSchemaSet(released))).toEqual([]);
  });

  it('classifies a realistic minor change and a breaking one in the real schemas', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfr-compat-'));
    try {
      cpSync(released, dir, { recursive: true });
      type Defs = Record<string, { enum: unknown[]; maximum: number }>;
      type Schema = { properties: Record<string, unknown>; $defs: Defs };
      const edit = (file: string, change: (schema: Schema) => void) => {
        const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Schema;
        change(schema);
        writeFileSync(join(dir, file), JSON.stringify(schema));
      };
      // Additive (a minor): an optional property and a new event kind.
      edit('RecoveryEvent.schema.json', (s) => {
        s.properties['riskScore'] = { type: 'integer', minimum: 0, maximum: 100 };
        s.$defs['RecoveryEventKind']!.enum.push('oracle_recovered');
      });
      const minor = buildReport({
        oldSet: loadSchemaSet(released),
        newSet: loadSchemaSet(dir),
        oldLabel: 'released',
        newLabel: 'edited',
        minorRelease: true,
      });
      expect(rows(minor.changes)).toEqual([
        ['ENUM_WIDENED', 'RecoveryEvent.schema.json#/$defs/RecoveryEventKind', C, P, true],
        ['PROPERTY_ADDED', 'RecoveryEvent.schema.json#/properties/riskScore', C, P, true],
      ]);
      expect(minor.verdict).toBe('compatible');
      // Breaking (a major): loosening a shared bound, reported once at the definition.
      edit('common.schema.json', (s) => {
        s.$defs['Bps']!.maximum = 100_000;
      });
      const changes = diffSchemaSets(loadSchemaSet(released), loadSchemaSet(dir));
      expect(
        changes
          .filter((c) => c.schema === 'common.schema.json')
          .map((c) => [c.class, c.pointer, c.instancePath]),
      ).toEqual([['BOUND_LOOSENED', '/$defs/Bps', '']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pre-release corrections', () => {
  // versioning.md#corrections-between-pre-releases: a breaking correction between drafts of one
  // version is frozen as a new release and listed in the CHANGELOG with its change classes.
  it('lists every failing change from 1.0.0-draft.1 to 1.0.0-draft.2 in the CHANGELOG under draft.2', () => {
    const report = buildReport({
      oldSet: loadSchemaSet(join(schemasDir, 'released/1.0.0-draft.1')),
      newSet: loadSchemaSet(join(schemasDir, 'released/1.0.0-draft.2')),
      oldLabel: '1.0.0-draft.1',
      newLabel: '1.0.0-draft.2',
      minorRelease: false,
    });
    const failing = report.changes.filter((c) => isFailing(c, false));
    expect(failing.map((c) => [c.class, `${c.schema}#${c.pointer}`])).toEqual([
      ['BOUND_TIGHTENED', 'Envelope.schema.json#/properties/signature'],
      ['PATTERN_CHANGED', 'Envelope.schema.json#/properties/signature'],
    ]);
    const changelog = readFileSync(join(repoRoot, 'spec/CHANGELOG.md'), 'utf8');
    const section = changelog.split(/^## /m).find((s) => s.startsWith('1.0.0-draft.2'));
    expect(section).toBeDefined();
    for (const c of failing) {
      expect(section).toContain(`\`${c.class}\``);
      expect(section).toContain(`${c.schema}#${c.pointer}`);
    }
  });
});

describe('the working tree', () => {
  // This is the CI gate of issue 2: a change to schemas/v1 that breaks producers or consumers within
  // the major fails here. Fix it, or cut a new release (schemas/released/README.md).
  it('has no breaking change against the latest released schema set', () => {
    const report = buildReport({
      oldSet: loadSchemaSet(findLatestRelease(join(schemasDir, 'released'))!),
      newSet: loadSchemaSet(join(schemasDir, 'v1')),
      oldLabel: 'released',
      newLabel: 'schemas/v1',
      minorRelease: false,
    });
    const failing = report.changes.filter((c) => isFailing(c, false));
    expect(failing.map((c) => `${c.class} ${c.schema}#${c.pointer}: ${c.detail}`)).toEqual([]);
  });
});

describe('verdict', () => {
  const report = (name: string, minorRelease = false) =>
    buildReport({
      oldSet: loadSchemaSet(join(fixtures, name, 'old')),
      newSet: loadSchemaSet(join(fixtures, name, 'new')),
      oldLabel: 'old',
      newLabel: 'new',
      minorRelease,
    });

  it('fails a change breaking producers or consumers within one major', () => {
    expect(report('required-added').verdict).toBe('breaking');
    expect(report('enum-widened').verdict).toBe('breaking');
    expect(report('identical').verdict).toBe('compatible');
    expect(report('schema-added').verdict).toBe('compatible');
  });

  it('does not fail breaking changes across majors', () => {
    const r = report('major-bump');
    expect(r.summary.breakingForProducers).toBe(3);
    expect(r.verdict).toBe('compatible');
  });

  it('admits additive changes only when the new set is declared a new MINOR', () => {
    expect(report('property-added-optional').verdict).toBe('breaking');
    expect(report('property-added-optional', true).verdict).toBe('compatible');
    expect(report('enum-widened-open', true).verdict).toBe('compatible');
    // Not admissible in a minor: a closed enum widened, a required property added.
    expect(report('enum-widened', true).verdict).toBe('breaking');
    expect(report('property-added-required', true).verdict).toBe('breaking');
  });

  it('admits a closed enum widened in NodeConfig (an older node refuses the value: CONFIG_INVALID), nowhere else', () => {
    const change = diffFixture('enum-widened')[0]!;
    expect(change.class).toBe('ENUM_WIDENED');
    expect(isFailing(change, false)).toBe(true);
    expect(isFailing({ ...change, schema: 'NodeConfig.schema.json' }, false)).toBe(false);
  });

  it('never admits a producer-breaking change', () => {
    const change = diffFixture('required-added')[0]!;
    expect(isFailing({ ...change, minorAdmissible: true }, true)).toBe(true);
  });

  it('renders a table with one row per change and a summary line', () => {
    expect(formatReport(report('property-added-required'))).toMatchInlineSnapshot(`
      "SFR schema compatibility: old (v1, 1 schemas) -> new (v1, 1 schemas)

      | change | where | instance | producers | consumers | minor-admissible | fails | detail |
      | --- | --- | --- | --- | --- | --- | --- | --- |
      | REQUIRED_ADDED | Thing.schema.json# | /b | breaking | compatible | no | FAIL | b is now required |
      | PROPERTY_ADDED | Thing.schema.json#/properties/b | /b | compatible | breaking | no | FAIL | required property b in an object old readers keep closed |

      2 changes: 1 breaking for producers, 1 breaking for consumers; 2 failing -> breaking
      "
    `);
  });
});

describe('inputs', () => {
  it('reads the MAJOR from an $id', () => {
    expect(parseIdMajor('https://sfr.dev/schemas/v1/common.schema.json')).toBe(1);
    expect(parseIdMajor('https://sfr.dev/schemas/v12/X.schema.json')).toBe(12);
    expect(parseIdMajor('https://example.org/x.json')).toBeUndefined();
    expect(parseIdMajor(undefined)).toBeUndefined();
  });

  it('orders release folders by SemVer precedence', () => {
    const sorted = ['1.0.0', '1.0.0-draft.10', '1.1.0', '1.0.0-draft.2', '1.0.0-rc.1', '0.9.9'].sort(
      (a, b) => compareVersions(a, b) ?? 0,
    );
    expect(sorted).toEqual(['0.9.9', '1.0.0-draft.2', '1.0.0-draft.10', '1.0.0-rc.1', '1.0.0', '1.1.0']);
    expect(compareVersions('latest', '1.0.0')).toBeUndefined();
  });

  it('finds the latest release folder, and none where there is none', () => {
    const latest = findLatestRelease(join(schemasDir, 'released'));
    expect(latest).toBeDefined();
    expect(loadSchemaSet(latest!).files.size).toBeGreaterThan(0);
    expect(findLatestRelease(join(fixtures, 'identical'))).toBeUndefined();
  });

  it('rejects a folder without schemas and a missing folder with a coded error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'sfr-compat-'));
    try {
      expect(() => loadSchemaSet(empty)).toThrowError(CompatInputError);
      expect(() => loadSchemaSet(join(empty, 'missing'))).toThrowError(/cannot read schema folder/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('spec:compat command', () => {
  const run = promisify(execFile);
  const script = join(schemasDir, 'scripts/compat.ts');
  async function compat(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
        cwd: repoRoot,
        timeout: 30_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  it('exits 1 on a breaking change, 0 with --minor when it is admissible, JSON on --json', async () => {
    const dir = 'schemas/fixtures/compat/property-added-optional';
    const strict = await compat('--json', `${dir}/old`, `${dir}/new`);
    expect(strict.code).toBe(1);
    const parsed = JSON.parse(strict.stdout) as { verdict: string; changes: Change[] };
    expect(parsed.verdict).toBe('breaking');
    expect(parsed.changes.map((c) => c.class)).toEqual(['PROPERTY_ADDED']);
    const minor = await compat('--minor', join(repoRoot, dir, 'old'), join(repoRoot, dir, 'new'));
    expect(minor.code).toBe(0);
    expect(minor.stdout).toContain('| PROPERTY_ADDED |');
  });

  it('exits 2 on usage errors', async () => {
    const unknown = await compat('--frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --frobnicate');
    const missing = await compat(
      'schemas/fixtures/compat/does-not-exist',
      'schemas/fixtures/compat/identical/new',
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('COMPAT_NOT_A_FOLDER');
  });
});
