// validate / parseAndValidate given garbage: they return issues, never throw, hang or touch shared state.
import { describe, expect, it } from 'vitest';
import { getSchema, parseAndValidate, type ValidateResult, validate } from '../src/index.js';
import { getAjv, getValidateFunction, toIssue } from '../src/validator.js';

const event = {
  kind: 'emergency_pause',
  protocol: 'aave-v3',
  severity: 'high',
  occurredAt: 1767225600000,
  detectedAt: 1767225614000,
  scope: { chain: 'eip155:1', contracts: ['0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2'] },
  evidence: [
    {
      type: 'log',
      chain: 'eip155:1',
      blockNumber: 24136800,
      blockHash: `0x${'ab'.repeat(32)}`,
      txHash: `0x${'cd'.repeat(32)}`,
      logIndex: 212,
      emitter: '0x64b761D848206f447Fe2dd461b0c635Ec39EbB27',
      topic0: '0xe188d542a5f11925d3a3af33703cdd30a43cb3e8066a3cf68b1b57f61a5a94b5',
    },
  ],
};

function firstIssue(r: ValidateResult<unknown>): { code: string; pointer: string } {
  if (r.ok) throw new Error('expected a failure');
  return { code: r.issues[0]!.code, pointer: r.issues[0]!.pointer };
}

describe('non-JSON input', () => {
  it.each([
    ['plain text', 'not json'],
    ['truncated', '{"kind": "resume"'],
    ['empty', ''],
    ['byte-order mark', '\uFEFF{}'],
    ['trailing comma', '{"a": 1,}'],
    ['NaN literal', '{"a": NaN}'],
    ['single quotes', "{'a': 1}"],
  ])('%s → SCHEMA_NOT_JSON', (_name, text) => {
    expect(firstIssue(parseAndValidate('RecoveryEvent', text))).toEqual({
      code: 'SCHEMA_NOT_JSON',
      pointer: '',
    });
  });

  it('invalid UTF-8 bytes → SCHEMA_NOT_JSON', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
    expect(firstIssue(parseAndValidate('RecoveryEvent', bytes))).toEqual({
      code: 'SCHEMA_NOT_JSON',
      pointer: '',
    });
  });

  it('accepts UTF-8 bytes of a valid document', () => {
    const r = parseAndValidate('RecoveryEvent', new TextEncoder().encode(JSON.stringify(event)));
    expect(r.ok).toBe(true);
  });

  it('an input that is neither string nor bytes → SCHEMA_NOT_JSON', () => {
    expect(firstIssue(parseAndValidate('RecoveryEvent', 42 as unknown as string)).code).toBe(
      'SCHEMA_NOT_JSON',
    );
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a bigint', 10n],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Foo {})()],
    ['a symbol', Symbol('x')],
  ])('an in-memory value holding %s → SCHEMA_NOT_JSON with its pointer', (_name, bad) => {
    expect(firstIssue(validate('RecoveryEvent', { ...event, summary: bad }))).toEqual({
      code: 'SCHEMA_NOT_JSON',
      pointer: '/summary',
    });
  });

  it('symbol keys → SCHEMA_NOT_JSON', () => {
    expect(firstIssue(validate('RecoveryEvent', { ...event, [Symbol('k')]: 1 })).code).toBe(
      'SCHEMA_NOT_JSON',
    );
  });
});

describe('documents of the wrong shape', () => {
  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a number', '42'],
    ['a string', '"RecoveryEvent"'],
    ['true', 'true'],
  ])('%s → SCHEMA_TYPE at the root', (_name, text) => {
    expect(firstIssue(parseAndValidate('Envelope', text))).toEqual({ code: 'SCHEMA_TYPE', pointer: '' });
    expect(firstIssue(validate('Envelope', JSON.parse(text)))).toEqual({ code: 'SCHEMA_TYPE', pointer: '' });
  });

  it.each(['Nope', '', '__proto__', 'constructor', 'toString', 'common', 'envelope'])(
    'unknown kind %j → SCHEMA_UNKNOWN_KIND',
    (kind) => {
      expect(firstIssue(validate(kind, event))).toEqual({ code: 'SCHEMA_UNKNOWN_KIND', pointer: '' });
      expect(firstIssue(parseAndValidate(kind, '{}'))).toEqual({ code: 'SCHEMA_UNKNOWN_KIND', pointer: '' });
    },
  );

  it('a non-string kind → SCHEMA_UNKNOWN_KIND', () => {
    expect(firstIssue(validate(7 as unknown as string, event)).code).toBe('SCHEMA_UNKNOWN_KIND');
  });
});

describe('size and depth', () => {
  it('a 10 MB string is refused before parsing, quickly', () => {
    const text = `"${'a'.repeat(10 * 1024 * 1024)}"`;
    const t = performance.now();
    expect(firstIssue(parseAndValidate('RecoveryEvent', text))).toEqual({
      code: 'SCHEMA_TOO_LARGE',
      pointer: '',
    });
    expect(firstIssue(validate('RecoveryEvent', text.slice(1, -1))).code).toBe('SCHEMA_TOO_LARGE');
    expect(firstIssue(validate('RecoveryEvent', { ...event, summary: text }))).toEqual({
      code: 'SCHEMA_TOO_LARGE',
      pointer: '',
    });
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('10 MB of bytes is refused by length', () => {
    expect(firstIssue(parseAndValidate('RecoveryEvent', new Uint8Array(10 * 1024 * 1024))).code).toBe(
      'SCHEMA_TOO_LARGE',
    );
  });

  it('multi-byte characters count as UTF-8 bytes', () => {
    const summary = '€'.repeat(200); // 200 characters, 600 bytes
    const text = JSON.stringify({ ...event, summary });
    expect(parseAndValidate('RecoveryEvent', text).ok).toBe(true);
    const bytes = Buffer.byteLength(text);
    expect(firstIssue(parseAndValidate('RecoveryEvent', text, { maxBytes: bytes - 1 })).code).toBe(
      'SCHEMA_TOO_LARGE',
    );
  });

  it('10 000-deep nesting in text is refused before JSON.parse', () => {
    for (const [open, close] of [
      ['[', ']'],
      ['{"a":', '}'],
    ] as const) {
      const text = open.repeat(10_000) + close.repeat(10_000);
      expect(firstIssue(parseAndValidate('RecoveryEvent', text))).toEqual({
        code: 'SCHEMA_TOO_DEEP',
        pointer: '',
      });
    }
    // Unbalanced, a million deep: still one linear scan.
    expect(firstIssue(parseAndValidate('RecoveryEvent', '['.repeat(1_000_000))).code).toBe('SCHEMA_TOO_DEEP');
  });

  it('brackets inside strings do not count as nesting', () => {
    const r = parseAndValidate(
      'RecoveryEvent',
      JSON.stringify({ ...event, summary: `[{${'['.repeat(200)}\\"` }),
    );
    expect(r.ok).toBe(true);
  });

  it('10 000-deep nesting in memory → SCHEMA_TOO_DEEP without recursion', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(firstIssue(validate('RecoveryEvent', deep))).toEqual({ code: 'SCHEMA_TOO_DEEP', pointer: '' });
    let deepArr: unknown = [];
    for (let i = 0; i < 10_000; i++) deepArr = [deepArr];
    expect(
      firstIssue(validate('RecoveryEvent', { ...event, extensions: { 'org.x.y': { a: deepArr } } })).code,
    ).toBe('SCHEMA_TOO_DEEP');
  });

  it('a cyclic object → SCHEMA_TOO_DEEP, not a hang', () => {
    const cyclic: Record<string, unknown> = { ...event };
    cyclic['extensions'] = { 'org.example.loop': cyclic };
    expect(firstIssue(validate('RecoveryEvent', cyclic)).code).toBe('SCHEMA_TOO_DEEP');
  });

  it('a shared sub-object fanned out exponentially is bounded by the node count', () => {
    let node: unknown = [1];
    for (let i = 0; i < 40; i++) node = [node, node]; // 2^40 paths, 41 distinct arrays
    const t = performance.now();
    expect(
      firstIssue(validate('RecoveryEvent', { ...event, extensions: { 'org.x.y': { n: node } } })).code,
    ).toBe('SCHEMA_TOO_LARGE');
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('an array of 300 000 numbers → SCHEMA_TOO_LARGE by value count', () => {
    expect(firstIssue(validate('RecoveryEvent', new Array(300_000).fill(0))).code).toBe('SCHEMA_TOO_LARGE');
  });

  it('limits can be tightened; nonsense limits fall back to the defaults', () => {
    expect(firstIssue(validate('RecoveryEvent', event, { maxDepth: 2 })).code).toBe('SCHEMA_TOO_DEEP');
    expect(validate('RecoveryEvent', event, { maxDepth: -1, maxBytes: Number.NaN, maxNodes: 1.5 }).ok).toBe(
      true,
    );
  });
});

describe('prototype pollution', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('a %s key anywhere → SCHEMA_FORBIDDEN_KEY', (key) => {
    const top = `{"${key}": {"polluted": true}, "kind": "resume"}`;
    expect(firstIssue(parseAndValidate('RecoveryEvent', top))).toEqual({
      code: 'SCHEMA_FORBIDDEN_KEY',
      pointer: `/${key}`,
    });
    const nested = JSON.stringify({ ...event, extensions: { 'org.example.x': { a: [{}] } } }).replace(
      '"a":[{}]',
      `"a":[{"${key}":{"polluted":true}}]`,
    );
    expect(firstIssue(parseAndValidate('RecoveryEvent', nested))).toEqual({
      code: 'SCHEMA_FORBIDDEN_KEY',
      pointer: `/extensions/org.example.x/a/0/${key}`,
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('an escaped "__proto__" key is caught too', () => {
    const r = parseAndValidate('RecoveryEvent', '{"\\u005f_proto__": {"polluted": true}}');
    expect(firstIssue(r)).toEqual({ code: 'SCHEMA_FORBIDDEN_KEY', pointer: '/__proto__' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('pointer tokens are escaped (RFC 6901)', () => {
    const r = validate('RecoveryEvent', { ...event, 'a/b~c': 1 });
    expect(firstIssue(r)).toEqual({ code: 'SCHEMA_ADDITIONAL_PROPERTY', pointer: '/a~1b~0c' });
  });
});

describe('shared state', () => {
  it('does not modify the validated value (valid or not)', () => {
    const frozen = structuredClone(event);
    deepFreeze(frozen);
    expect(validate('RecoveryEvent', frozen).ok).toBe(true);
    const invalid = deepFreeze({ ...structuredClone(event), severity: 'nope', extra: { a: 1 } });
    expect(validate('RecoveryEvent', invalid).ok).toBe(false);
  });

  it('compiles each schema once and reuses it', () => {
    const id = 'https://sfr.dev/schemas/v1/RecoveryEvent.schema.json';
    validate('RecoveryEvent', event);
    const fn = getValidateFunction(id);
    for (let i = 0; i < 50; i++) validate('RecoveryEvent', { ...event, seq: i });
    expect(getValidateFunction(id)).toBe(fn);
    expect(getAjv()).toBe(getAjv());
  });

  it('getSchema hands out copies: changing one does not change validation', () => {
    const s = getSchema('RecoveryEvent')!;
    (s['properties'] as Record<string, unknown>)['kind'] = { type: 'number' };
    s['required'] = [];
    expect(validate('RecoveryEvent', event).ok).toBe(true);
    expect(
      firstIssue(validate('RecoveryEvent', { ...event, kind: undefined as unknown as string })).code,
    ).toBe('SCHEMA_NOT_JSON');
    expect((getSchema('RecoveryEvent')!['required'] as string[]).includes('kind')).toBe(true);
    expect(getSchema('Nope')).toBeUndefined();
    expect(getSchema('common')!['$id']).toBe('https://sfr.dev/schemas/v1/common.schema.json');
  });

  it('a value whose traps throw → SCHEMA_INTERNAL_ERROR, never a throw', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    expect(firstIssue(validate('RecoveryEvent', hostile)).code).toBe('SCHEMA_INTERNAL_ERROR');
    const getterThrows = Object.defineProperty({ ...event }, 'summary', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(firstIssue(validate('RecoveryEvent', getterThrows)).code).toBe('SCHEMA_INTERNAL_ERROR');
  });
});

describe('issue mapping', () => {
  it('maps a keyword without a specific code to SCHEMA_INVALID', () => {
    const issue = toIssue([
      {
        keyword: 'contains',
        instancePath: '/items',
        schemaPath: '#/contains',
        params: { minContains: 1 },
        message: 'must contain at least 1 valid item(s)',
      },
    ]);
    expect(issue).toEqual({
      code: 'SCHEMA_INVALID',
      pointer: '/items',
      keyword: 'contains',
      message: 'must contain at least 1 valid item(s)',
    });
  });

  it('reports SCHEMA_INTERNAL_ERROR when ajv gives no error at all', () => {
    expect(toIssue(null).code).toBe('SCHEMA_INTERNAL_ERROR');
  });

  it('renders messages and expectations (their wording is API)', () => {
    const issue = (doc: unknown) => {
      const r = validate('RecoveryEvent', doc);
      return r.ok ? undefined : r.issues[0];
    };
    expect(issue({ ...event, kind: 'halted' })).toMatchInlineSnapshot(`
      {
        "code": "SCHEMA_ENUM",
        "expected": ""circuit_breaker_tripped" | "emergency_pause" | "resume" | "market_frozen" | "oracle_failure" | "insurance_fund_deployed" | "bad_debt_realized" | "loss_socialized" | "emergency_shutdown" | "exploit_suspected" | "governance_action"",
        "keyword": "enum",
        "message": "must be one of the allowed values",
        "pointer": "/kind",
      }
    `);
    const { severity: _s, ...noSeverity } = event;
    expect(issue(noSeverity)).toMatchInlineSnapshot(`
      {
        "code": "SCHEMA_REQUIRED",
        "expected": "property "severity"",
        "keyword": "required",
        "message": "missing required property "severity"",
        "pointer": "/severity",
      }
    `);
    expect(issue({ ...event, evidence: [] })).toMatchInlineSnapshot(`
      {
        "code": "SCHEMA_LENGTH",
        "expected": "at least 1 item",
        "keyword": "minItems",
        "message": "must have at least 1 item",
        "pointer": "/evidence",
      }
    `);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
