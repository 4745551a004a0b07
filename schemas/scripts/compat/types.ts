// Vocabulary of the schema compatibility checker (spec/v1/versioning.md#compatibility-checking).

/** A JSON Schema node as read from disk: an object schema or a boolean schema. */
export type SchemaNode = boolean | { readonly [keyword: string]: unknown };

/** One `*.schema.json` file of a schema set. */
export interface SchemaFile {
  /** File name, e.g. `RecoveryEvent.schema.json`; files are paired across sets by this name. */
  readonly file: string;
  /** The root `$id` without fragment, or `undefined` when the file has none. */
  readonly id: string | undefined;
  /** MAJOR read from the `$id` (`…/schemas/v<MAJOR>/…`), or `undefined`. */
  readonly major: number | undefined;
  readonly root: SchemaNode;
}

/** A folder of schemas, indexed by file name and by `$id`. */
export interface SchemaSet {
  readonly dir: string;
  readonly files: ReadonlyMap<string, SchemaFile>;
  readonly byId: ReadonlyMap<string, SchemaFile>;
}

/**
 * What a change does to one side.
 * - producers: are documents valid under the OLD schema still valid under the NEW one?
 * - consumers: are documents valid under the NEW schema still valid under the OLD one?
 */
export type Impact = 'compatible' | 'breaking';

/** Stable names of the change classes (listed in spec/v1/versioning.md#compatibility-checking). */
export const changeClasses = [
  'SCHEMA_ADDED',
  'SCHEMA_REMOVED',
  'ID_CHANGED',
  'DEF_ADDED',
  'DEF_REMOVED',
  'REF_TARGET_CHANGED',
  'REF_UNRESOLVED',
  'PROPERTY_ADDED',
  'PROPERTY_REMOVED',
  'REQUIRED_ADDED',
  'REQUIRED_REMOVED',
  'ENUM_NARROWED',
  'ENUM_WIDENED',
  'ENUM_CHANGED',
  'TYPE_NARROWED',
  'TYPE_WIDENED',
  'TYPE_CHANGED',
  'BOUND_TIGHTENED',
  'BOUND_LOOSENED',
  'PATTERN_CHANGED',
  'ADDITIONAL_PROPERTIES_TIGHTENED',
  'ADDITIONAL_PROPERTIES_LOOSENED',
  'BRANCH_ADDED',
  'BRANCH_REMOVED',
  'KEYWORD_CHANGED',
] as const;

export type ChangeClass = (typeof changeClasses)[number];

export interface Change {
  readonly class: ChangeClass;
  /** Schema file the change is in (the new file name for additions). */
  readonly schema: string;
  /** JSON pointer of the changed node inside `schema` (old side when it exists). */
  readonly pointer: string;
  /** Instance location the node constrains, relative to the schema root or `$defs` entry walked. */
  readonly instancePath: string;
  readonly detail: string;
  readonly producers: Impact;
  readonly consumers: Impact;
  /**
   * True when proposal 0001 §3 lets a MINOR version make this change: an added optional property,
   * a new value in an enum documented as open, a new schema (payload type) or `$defs` entry.
   * Such a change breaks old consumers' schema validation, but an old receiver never validates
   * a higher-minor message: it IGNOREs it by version first (versioning.md).
   */
  readonly minorAdmissible: boolean;
  /** The old and new `$id` MAJORs of the schema are equal. */
  readonly sameMajor: boolean;
}

export interface CompatReport {
  readonly old: { readonly dir: string; readonly major: number | undefined; readonly schemas: number };
  readonly new: { readonly dir: string; readonly major: number | undefined; readonly schemas: number };
  /** `--minor`: the new set is declared a new MINOR of the old one. */
  readonly minorRelease: boolean;
  readonly changes: readonly Change[];
  readonly summary: {
    readonly changes: number;
    readonly breakingForProducers: number;
    readonly breakingForConsumers: number;
    /** Changes that fail the check: breaking within one major and not admitted by `--minor`. */
    readonly failing: number;
  };
  readonly verdict: 'compatible' | 'breaking';
}
