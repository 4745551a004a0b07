import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getSchema, validate } from '@sfr/schemas';
import { ConfigError, type ConfigSource } from './configError.js';
import { settingSchema } from './schemaPath.js';

/** Environment variables that carry settings start with this (STYLE.md: flag > env > file > default). */
export const ENV_PREFIX = 'SFR_';
/** The one `SFR_` variable that is not a setting: the config file path (a `--config` flag wins). */
export const ENV_CONFIG_FILE = 'SFR_CONFIG';
/** The schema a node config is validated by (schemas/v1/NodeConfig.schema.json). */
export const NODE_CONFIG_KIND = 'NodeConfig';
/** Largest config file read (a config is a few KB; this only bounds a wrong path). */
export const MAX_CONFIG_BYTES = 1_048_576;

export type ConfigObject = Record<string, unknown>;

export interface LoadConfigParameters {
  /** Path of the JSON config file; `SFR_CONFIG` when absent; no file when both are absent. */
  readonly file?: string;
  /** Environment (default `process.env`). `SFR_HTTP__PORT=8080` sets `http.port` (see `envNameOf`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Settings from command-line flags by dotted path (`{'http.port': '8080'}`); strings are typed by the schema. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** How each flag was spelled on the command line, by dotted path (`{'http.port': '--http-port'}`), for errors. */
  readonly flagNames?: Readonly<Record<string, string>>;
  /** Defaults below the file; the schema's own `default`s are applied first. */
  readonly defaults?: ConfigObject;
  /** Schema kind to validate against (default NodeConfig). */
  readonly kind?: string;
}

export type LoadConfigResult =
  | {
      readonly ok: true;
      readonly config: ConfigObject;
      /** Which layer set each leaf setting, by JSON pointer. */
      readonly sources: Readonly<Record<string, ConfigSource>>;
      /** The config file read, if any. */
      readonly file: string | undefined;
      /** Relative paths in the config resolve against this (the file's folder, else the cwd). */
      readonly baseDir: string;
    }
  | { readonly ok: false; readonly error: ConfigError };

/** `http.port` → `SFR_HTTP__PORT`; `dataDir` → `SFR_DATA_DIR` (`__` between levels, `_` between words). */
export function envNameOf(settingPath: string): string {
  return (
    ENV_PREFIX +
    settingPath
      .split('.')
      .map((seg) => seg.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
      .join('__')
  );
}

/** The inverse of `envNameOf`: `SFR_GOSSIP__MAX_MESSAGE_BYTES` → ['gossip', 'maxMessageBytes']. */
export function settingPathOfEnv(name: string): string[] {
  return name
    .slice(ENV_PREFIX.length)
    .split('__')
    .map((seg) => seg.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));
}

function pointerOf(p: readonly string[]): string {
  return p.length === 0 ? '' : `/${p.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function isPlainObject(v: unknown): v is ConfigObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Turns a string from env or a flag into the JSON type the schema expects at that setting. */
function coerce(
  raw: string,
  type: string | undefined,
  field: string,
  source: ConfigSource,
  origin: string,
): { ok: true; value: unknown } | { ok: false; error: ConfigError } {
  const bad = (expected: string) => ({
    ok: false as const,
    error: new ConfigError('CONFIG_BAD_VALUE', `${origin} is not a valid ${type ?? 'value'}.`, {
      field,
      expected,
      source,
      origin,
    }),
  });
  switch (type) {
    case 'integer':
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n) || (type === 'integer' && !Number.isSafeInteger(n))) {
        return bad(type === 'integer' ? 'an integer' : 'a number');
      }
      return { ok: true, value: n };
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return { ok: true, value: true };
      if (/^(false|0|no)$/i.test(raw)) return { ok: true, value: false };
      return bad('true or false');
    case 'array':
      if (raw.trim().startsWith('[')) {
        try {
          const v = JSON.parse(raw) as unknown;
          if (Array.isArray(v)) return { ok: true, value: v };
        } catch {
          // fall through
        }
        return bad('a JSON array, or a comma-separated list');
      }
      return {
        ok: true,
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
    case 'object':
      try {
        const v = JSON.parse(raw) as unknown;
        if (isPlainObject(v)) return { ok: true, value: v };
      } catch {
        // fall through
      }
      return bad('a JSON object');
    default:
      return { ok: true, value: raw };
  }
}

function setAt(target: ConfigObject, p: readonly string[], value: unknown): void {
  let node = target;
  for (const key of p.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as ConfigObject;
  }
  node[p.at(-1)!] = value;
}

/** Deep-merges `layer` into `target` (objects merge, everything else replaces), noting each leaf's source. */
function mergeLayer(
  target: ConfigObject,
  layer: ConfigObject,
  source: ConfigSource,
  sources: Record<string, ConfigSource>,
  at: string[] = [],
): void {
  for (const [key, value] of Object.entries(layer)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const p = [...at, key];
    if (isPlainObject(value)) {
      if (!isPlainObject(target[key])) target[key] = {};
      mergeLayer(target[key] as ConfigObject, value, source, sources, p);
      if (Object.keys(value).length === 0) sources[pointerOf(p)] = source;
    } else {
      for (const k of Object.keys(sources)) if (k.startsWith(`${pointerOf(p)}/`)) delete sources[k];
      target[key] = structuredClone(value);
      sources[pointerOf(p)] = source;
    }
  }
}

/** The `default`s the schema declares, as a config object (nested objects only where they hold one). */
export function schemaDefaults(kind: string): ConfigObject {
  const root = getSchema(kind);
  if (root === undefined) return {};
  const walk = (p: string[], depth: number): ConfigObject | undefined => {
    if (depth > 8) return undefined;
    const out: ConfigObject = {};
    const props = propertiesAt(kind, p);
    for (const key of props) {
      const s = rawSettingSchema(kind, [...p, key]);
      if (s === undefined) continue;
      if (Object.hasOwn(s, 'default')) out[key] = structuredClone(s['default']);
      else if (s['type'] === 'object') {
        const nested = walk([...p, key], depth + 1);
        if (nested !== undefined && Object.keys(nested).length > 0) out[key] = nested;
      }
    }
    return out;
  };
  return walk([], 0) ?? {};
}

function propertiesAt(kind: string, p: readonly string[]): string[] {
  const s = rawSettingSchema(kind, p);
  const props = s?.['properties'];
  return isPlainObject(props) ? Object.keys(props) : [];
}

function rawSettingSchema(kind: string, p: readonly string[]): ConfigObject | undefined {
  return settingSchema(kind, p)?.schema;
}

/**
 * Loads the node config: schema defaults < `defaults` < file < `SFR_*` env < flags, then validates
 * the merged result with `validate(kind)` from @sfr/schemas. Never throws: every problem is a
 * `ConfigError` naming the field (JSON pointer), what was expected and which layer supplied it.
 */
export async function loadConfig(parameters: LoadConfigParameters = {}): Promise<LoadConfigResult> {
  const kind = parameters.kind ?? NODE_CONFIG_KIND;
  const env = parameters.env ?? process.env;
  if (getSchema(kind) === undefined) {
    return {
      ok: false,
      error: new ConfigError(
        'CONFIG_SCHEMA_MISSING',
        `@sfr/schemas has no ${kind} schema to validate the config with.`,
        {
          field: '',
          expected: `schemas/v1/${kind}.schema.json`,
        },
      ),
    };
  }
  const sources: Record<string, ConfigSource> = {};
  const merged: ConfigObject = {};
  mergeLayer(merged, schemaDefaults(kind), 'default', sources);
  if (parameters.defaults !== undefined) mergeLayer(merged, parameters.defaults, 'default', sources);

  // file
  const fileArg = parameters.file ?? env[ENV_CONFIG_FILE];
  let file: string | undefined;
  if (fileArg !== undefined && fileArg !== '') {
    file = path.resolve(fileArg);
    let text: string;
    try {
      const buf = await readFile(file);
      if (buf.length > MAX_CONFIG_BYTES) {
        return {
          ok: false,
          error: new ConfigError(
            'CONFIG_FILE_UNREADABLE',
            `The config file is larger than ${MAX_CONFIG_BYTES} bytes.`,
            {
              field: '',
              origin: file,
              source: 'file',
            },
          ),
        };
      }
      text = buf.toString('utf8');
    } catch (cause) {
      return {
        ok: false,
        error: new ConfigError(
          'CONFIG_FILE_UNREADABLE',
          `Cannot read the config file (${(cause as NodeJS.ErrnoException).code ?? 'error'}).`,
          {
            field: '',
            expected: 'a readable JSON file',
            origin: file,
            source: 'file',
            cause,
          },
        ),
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      return {
        ok: false,
        error: new ConfigError(
          'CONFIG_NOT_JSON',
          `The config file is not valid JSON (${(cause as Error).message}).`,
          {
            field: '',
            expected: 'a JSON object',
            origin: file,
            source: 'file',
          },
        ),
      };
    }
    if (!isPlainObject(parsed)) {
      return {
        ok: false,
        error: new ConfigError('CONFIG_NOT_JSON', 'The config file must hold a JSON object.', {
          field: '',
          expected: 'a JSON object',
          origin: file,
          source: 'file',
        }),
      };
    }
    mergeLayer(merged, parsed, 'file', sources);
  }

  // env, then flags
  const layers: Array<{ source: ConfigSource; entries: Array<[string[], unknown, string]> }> = [
    {
      source: 'env',
      entries: Object.entries(env)
        .filter(([k, v]) => k.startsWith(ENV_PREFIX) && k !== ENV_CONFIG_FILE && v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [settingPathOfEnv(k), v, k]),
    },
    {
      source: 'flag',
      entries: Object.entries(parameters.flags ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k.split('.'), v, parameters.flagNames?.[k] ?? `--${k}`]),
    },
  ];
  for (const { source, entries } of layers) {
    const layer: ConfigObject = {};
    for (const [p, value, origin] of entries) {
      const field = pointerOf(p);
      const s = settingSchema(kind, p);
      if (s === undefined) {
        return {
          ok: false,
          error: new ConfigError('CONFIG_UNKNOWN_SETTING', `${origin} names no setting of ${kind}.`, {
            field,
            expected: 'a setting declared by the NodeConfig schema',
            source,
            origin,
          }),
        };
      }
      let v: unknown = value;
      if (typeof value === 'string') {
        const c = coerce(value, s.type, field, source, origin);
        if (!c.ok) return c;
        v = c.value;
      }
      setAt(layer, p, v);
    }
    mergeLayer(merged, layer, source, sources);
  }

  const result = validate(kind, merged);
  if (!result.ok) {
    const issue = result.issues[0]!;
    const source = sourceOf(sources, issue.pointer);
    return {
      ok: false,
      error: new ConfigError('CONFIG_INVALID', issue.message, {
        field: issue.pointer,
        ...(issue.expected === undefined ? {} : { expected: issue.expected }),
        ...(source === undefined
          ? {}
          : { source, origin: originOf(source, issue.pointer, file, parameters.flagNames) }),
        schemaCode: issue.code,
      }),
    };
  }
  return {
    ok: true,
    config: merged,
    sources,
    file,
    baseDir: file === undefined ? process.cwd() : path.dirname(file),
  };
}

/** The layer that set the value at `pointer` (or the nearest set ancestor or descendant). */
function sourceOf(
  sources: Readonly<Record<string, ConfigSource>>,
  pointer: string,
): ConfigSource | undefined {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const s = sources[p];
    if (s !== undefined) return s;
    if (p === '') break;
  }
  for (const [k, s] of Object.entries(sources)) if (k.startsWith(`${pointer}/`)) return s;
  return undefined;
}

function originOf(
  source: ConfigSource,
  pointer: string,
  file: string | undefined,
  flagNames: Readonly<Record<string, string>> | undefined,
): string {
  const dotted = pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .filter((t) => !/^\d+$/.test(t))
    .join('.');
  switch (source) {
    case 'env':
      return envNameOf(dotted);
    case 'flag':
      return flagNames?.[dotted] ?? `--${dotted}`;
    case 'file':
      return file ?? 'config file';
    default:
      return 'default';
  }
}
