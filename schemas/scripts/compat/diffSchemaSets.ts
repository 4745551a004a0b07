import type { Change, ChangeClass, Impact, SchemaFile, SchemaNode, SchemaSet } from './types.js';

/** Where a node lives: a file of a set and a JSON pointer inside it. */
interface Side {
  readonly set: SchemaSet;
  readonly file: SchemaFile;
  readonly pointer: string;
  readonly node: SchemaNode;
}

type SchemaObject = { readonly [keyword: string]: unknown };

// Keywords that only annotate (JSON Schema 2020-12 §9 meta-data, core identifiers, and content
// annotations): changing them never changes which documents are valid.
const annotationKeywords = new Set([
  'title',
  'description',
  'examples',
  'default',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$anchor',
  '$dynamicAnchor',
  'contentMediaType',
  'contentEncoding',
  'contentSchema',
]);

// Keywords this checker analyses one by one below; every other assertion keyword is compared as a
// whole and any difference is KEYWORD_CHANGED (breaking both ways: its effect is not analysed).
const analysedKeywords = new Set([
  '$id',
  '$schema',
  '$defs',
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'items',
  'prefixItems',
  'uniqueItems',
  'pattern',
  'format',
  'multipleOf',
  'anyOf',
  'oneOf',
  'allOf',
  'minimum',
  'exclusiveMinimum',
  'minLength',
  'minItems',
  'minProperties',
  'maximum',
  'exclusiveMaximum',
  'maxLength',
  'maxItems',
  'maxProperties',
]);

// Bounds where a larger value accepts fewer documents, and bounds where a smaller one does.
const lowerBounds = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const upperBounds = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

/** JSON text with object keys sorted, so that equal values compare equal as strings. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapePointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

function isObject(node: unknown): node is SchemaObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function nodeAt(root: SchemaNode, pointer: string): SchemaNode | undefined {
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapePointerToken(raw);
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else return undefined;
  }
  return typeof current === 'boolean' || isObject(current) ? current : undefined;
}

function child(side: Side, ...tokens: string[]): Side | undefined {
  const pointer = `${side.pointer}/${tokens.map(escapePointerToken).join('/')}`;
  const node = nodeAt(side.file.root, pointer);
  return node === undefined ? undefined : { ...side, pointer, node };
}

/** Resolves a `$ref` against the `$id` of the file it appears in; `undefined` when it points nowhere. */
function resolveRef(side: Side, ref: string): Side | undefined {
  const base = side.file.id ?? `file:///${side.file.file}`;
  let url: URL;
  try {
    url = new URL(ref, base);
  } catch {
    return undefined;
  }
  const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  const document = url.href;
  const lastSegment = document.slice(document.lastIndexOf('/') + 1);
  const file = side.set.byId.get(document) ?? side.set.files.get(lastSegment);
  if (file === undefined) return undefined;
  const node = nodeAt(file.root, fragment);
  return node === undefined ? undefined : { set: side.set, file, pointer: fragment, node };
}

/** A location that does not depend on the set's `$id` prefix, so v1 and v2 targets can be paired. */
function locationKey(side: Side): string {
  return `${side.file.file}#${side.pointer}`;
}

function typesOf(node: SchemaObject): Set<string> | undefined {
  const type = node['type'];
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === 'string'));
  return undefined;
}

function covers(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function valuesOf(node: SchemaObject): unknown[] | undefined {
  if (Object.hasOwn(node, 'const')) return [node['const']];
  const values = node['enum'];
  return Array.isArray(values) ? values : undefined;
}

// An enum a MINOR may extend says so in its description (spec/v1/versioning.md#extensible-enums):
// "Open enum" (receivers map unknown values to `other`) or "minor-version addition" (closed within a
// minor, like RecoveryEvent.kind: an older receiver IGNOREs the higher-minor message).
function isOpenEnum(node: SchemaObject): boolean {
  const description = node['description'];
  return typeof description === 'string' && /open enum|minor-version addition/i.test(description);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isTrivial(node: SchemaNode | undefined): boolean {
  if (node === undefined || node === true) return true;
  if (node === false) return false;
  return Object.keys(node).every((key) => annotationKeywords.has(key));
}

function display(value: unknown): string {
  const text = stableStringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Compares two schema sets and lists every change, classified for producers and consumers. */
export function diffSchemaSets(oldSet: SchemaSet, newSet: SchemaSet): Change[] {
  const changes: Change[] = [];
  const visited = new Set<string>();
  const setMajor = (set: SchemaSet): number | undefined =>
    [...set.files.values()].map((f) => f.major).find((m) => m !== undefined);
  const setsShareMajor = setMajor(oldSet) === setMajor(newSet);

  function emit(
    cls: ChangeClass,
    at: Side,
    instancePath: string,
    detail: string,
    producers: Impact,
    consumers: Impact,
    options: { minorAdmissible?: boolean; sameMajor?: boolean } = {},
  ): void {
    changes.push({
      class: cls,
      schema: at.file.file,
      pointer: at.pointer,
      instancePath,
      detail,
      producers,
      consumers,
      minorAdmissible: options.minorAdmissible ?? false,
      sameMajor: options.sameMajor ?? setsShareMajor,
    });
  }

  const tightened = (cls: ChangeClass, at: Side, ip: string, detail: string) =>
    emit(cls, at, ip, detail, 'breaking', 'compatible');
  const loosened = (cls: ChangeClass, at: Side, ip: string, detail: string, minorAdmissible = false) =>
    emit(cls, at, ip, detail, 'compatible', 'breaking', { minorAdmissible });
  const both = (cls: ChangeClass, at: Side, ip: string, detail: string) =>
    emit(cls, at, ip, detail, 'breaking', 'breaking');

  function compare(o: Side, n: Side, ip: string): void {
    const key = `${locationKey(o)}|${locationKey(n)}`;
    if (visited.has(key)) return;
    visited.add(key);
    const on = o.node;
    const nn = n.node;
    const oldText = stableStringify(on);
    if (oldText === stableStringify(nn) && !oldText.includes('"$ref"')) return;

    if (typeof on === 'boolean' || typeof nn === 'boolean') {
      compareBooleanSchemas(o, n, ip);
      return;
    }
    const oldRef = typeof on['$ref'] === 'string' ? on['$ref'] : undefined;
    const newRef = typeof nn['$ref'] === 'string' ? nn['$ref'] : undefined;
    if (oldRef !== undefined || newRef !== undefined) {
      compareRefs(o, n, on, nn, oldRef, newRef, ip);
      return;
    }
    compareKeywords(o, n, on, nn, ip);
  }

  function compareBooleanSchemas(o: Side, n: Side, ip: string): void {
    const accepts = (node: SchemaNode) => node === true || isTrivial(node);
    const rejects = (node: SchemaNode) => node === false;
    if ((accepts(o.node) && accepts(n.node)) || (rejects(o.node) && rejects(n.node))) return;
    if (accepts(o.node) || rejects(n.node))
      tightened('BOUND_TIGHTENED', o, ip, `${display(o.node)} became ${display(n.node)}`);
    else loosened('BOUND_LOOSENED', o, ip, `${display(o.node)} became ${display(n.node)}`);
  }

  function compareRefs(
    o: Side,
    n: Side,
    on: SchemaObject,
    nn: SchemaObject,
    oldRef: string | undefined,
    newRef: string | undefined,
    ip: string,
  ): void {
    const oldTarget = oldRef === undefined ? o : resolveRef(o, oldRef);
    const newTarget = newRef === undefined ? n : resolveRef(n, newRef);
    if (oldTarget === undefined || newTarget === undefined) {
      const which = oldTarget === undefined ? `old $ref ${oldRef}` : `new $ref ${newRef}`;
      both('REF_UNRESOLVED', oldTarget === undefined ? o : n, ip, `${which} does not resolve in its set`);
      return;
    }
    const siblings = (node: SchemaObject) =>
      Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref' && !annotationKeywords.has(k)));
    if (oldRef !== undefined && newRef !== undefined) {
      if (locationKey(oldTarget) !== locationKey(newTarget))
        emit(
          'REF_TARGET_CHANGED',
          o,
          ip,
          `${locationKey(oldTarget)} -> ${locationKey(newTarget)}`,
          'compatible',
          'compatible',
        );
      const oldSiblings = siblings(on);
      const newSiblings = siblings(nn);
      if (Object.keys(oldSiblings).length > 0 || Object.keys(newSiblings).length > 0)
        compareKeywords(o, n, oldSiblings, newSiblings, ip);
      // Both point at the same `$defs` entry: pass 1 compares it on its own, so that a change in a
      // shared definition is reported once, at the definition, whichever schema reaches it first.
      const sameDefinition =
        locationKey(oldTarget) === locationKey(newTarget) && /^\/\$defs\/[^/]+$/.test(oldTarget.pointer);
      if (!sameDefinition) compare(oldTarget, newTarget, ip);
      return;
    }
    const refSide = oldRef !== undefined ? on : nn;
    emit(
      'REF_TARGET_CHANGED',
      o,
      ip,
      oldRef !== undefined ? `$ref ${oldRef} was inlined` : `inline schema became $ref ${newRef}`,
      'compatible',
      'compatible',
    );
    if (Object.keys(siblings(refSide)).length > 0)
      both('KEYWORD_CHANGED', o, ip, 'keywords beside a $ref moved inline; not analysed');
    compare(oldTarget, newTarget, ip);
  }

  function compareKeywords(o: Side, n: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    compareTypes(o, on, nn, ip);
    compareValues(o, on, nn, ip);
    compareBounds(o, on, nn, ip);
    compareObjects(o, n, on, nn, ip);
    compareArrays(o, n, on, nn, ip);
    compareBranches(o, n, on, nn, ip);
    if (
      o.pointer === '' &&
      n.pointer === '' &&
      stableStringify(on['$schema']) !== stableStringify(nn['$schema'])
    )
      both('KEYWORD_CHANGED', o, ip, `$schema ${display(on['$schema'])} -> ${display(nn['$schema'])}`);
    const others = new Set([...Object.keys(on), ...Object.keys(nn)]);
    for (const keyword of [...others].sort()) {
      if (analysedKeywords.has(keyword) || annotationKeywords.has(keyword)) continue;
      if (stableStringify(on[keyword]) !== stableStringify(nn[keyword]))
        both('KEYWORD_CHANGED', o, ip, `${keyword} ${display(on[keyword])} -> ${display(nn[keyword])}`);
    }
  }

  function compareTypes(o: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    const oldTypes = typesOf(on);
    const newTypes = typesOf(nn);
    if (oldTypes === undefined && newTypes === undefined) return;
    if (oldTypes === undefined) {
      tightened('TYPE_NARROWED', o, ip, `any type -> ${[...newTypes!].join(' | ')}`);
      return;
    }
    if (newTypes === undefined) {
      loosened('TYPE_WIDENED', o, ip, `${[...oldTypes].join(' | ')} -> any type`);
      return;
    }
    const removed = [...oldTypes].filter((t) => !covers(newTypes, t));
    const added = [...newTypes].filter((t) => !covers(oldTypes, t));
    const detail = `${[...oldTypes].join(' | ')} -> ${[...newTypes].join(' | ')}`;
    if (removed.length > 0 && added.length > 0) both('TYPE_CHANGED', o, ip, detail);
    else if (removed.length > 0) tightened('TYPE_NARROWED', o, ip, detail);
    else if (added.length > 0) loosened('TYPE_WIDENED', o, ip, detail);
  }

  function compareValues(o: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    const oldValues = valuesOf(on);
    const newValues = valuesOf(nn);
    if (oldValues === undefined && newValues === undefined) return;
    if (oldValues === undefined) {
      tightened('ENUM_NARROWED', o, ip, `any value -> one of ${display(newValues)}`);
      return;
    }
    if (newValues === undefined) {
      loosened('ENUM_WIDENED', o, ip, `one of ${display(oldValues)} -> any value`);
      return;
    }
    const oldKeys = new Set(oldValues.map(stableStringify));
    const newKeys = new Set(newValues.map(stableStringify));
    const removed = [...oldKeys].filter((v) => !newKeys.has(v));
    const added = [...newKeys].filter((v) => !oldKeys.has(v));
    if (removed.length > 0 && added.length > 0)
      both('ENUM_CHANGED', o, ip, `removed ${removed.join(', ')}; added ${added.join(', ')}`);
    else if (removed.length > 0) tightened('ENUM_NARROWED', o, ip, `removed ${removed.join(', ')}`);
    else if (added.length > 0)
      loosened(
        'ENUM_WIDENED',
        o,
        ip,
        `added ${added.join(', ')}${isOpenEnum(nn) ? ' (extensible enum)' : ''}`,
        isOpenEnum(on) && isOpenEnum(nn),
      );
  }

  function compareBounds(o: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    const compareBound = (keyword: string, tighterWhenLarger: boolean) => {
      const before = on[keyword];
      const after = nn[keyword];
      if (before === after) return;
      const detail = `${keyword} ${display(before)} -> ${display(after)}`;
      if (typeof before !== 'number' && typeof after === 'number')
        tightened('BOUND_TIGHTENED', o, ip, detail);
      else if (typeof before === 'number' && typeof after !== 'number')
        loosened('BOUND_LOOSENED', o, ip, detail);
      else if (typeof before === 'number' && typeof after === 'number') {
        if (after > before === tighterWhenLarger) tightened('BOUND_TIGHTENED', o, ip, detail);
        else loosened('BOUND_LOOSENED', o, ip, detail);
      } else both('KEYWORD_CHANGED', o, ip, detail);
    };
    for (const keyword of lowerBounds) compareBound(keyword, true);
    for (const keyword of upperBounds) compareBound(keyword, false);

    for (const keyword of ['pattern', 'format', 'multipleOf'] as const) {
      const before = on[keyword];
      const after = nn[keyword];
      if (stableStringify(before) === stableStringify(after)) continue;
      const detail = `${keyword} ${display(before)} -> ${display(after)}`;
      if (before === undefined) tightened('BOUND_TIGHTENED', o, ip, detail);
      else if (after === undefined) loosened('BOUND_LOOSENED', o, ip, detail);
      else if (keyword === 'multipleOf') both('KEYWORD_CHANGED', o, ip, detail);
      else both('PATTERN_CHANGED', o, ip, detail);
    }
    const oldUnique = on['uniqueItems'] === true;
    const newUnique = nn['uniqueItems'] === true;
    if (!oldUnique && newUnique) tightened('BOUND_TIGHTENED', o, ip, 'uniqueItems became true');
    if (oldUnique && !newUnique) loosened('BOUND_LOOSENED', o, ip, 'uniqueItems no longer true');
  }

  function compareObjects(o: Side, n: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    const oldProps = isObject(on['properties']) ? on['properties'] : {};
    const newProps = isObject(nn['properties']) ? nn['properties'] : {};
    const oldAdditional = (on['additionalProperties'] ?? true) as SchemaNode;
    const newAdditional = (nn['additionalProperties'] ?? true) as SchemaNode;
    const oldRequired = new Set(stringList(on['required']));
    const newRequired = new Set(stringList(nn['required']));
    const names = [...new Set([...Object.keys(oldProps), ...Object.keys(newProps)])].sort();
    for (const name of names) {
      const path = `${ip}/${escapePointerToken(name)}`;
      const oldChild = Object.hasOwn(oldProps, name) ? child(o, 'properties', name) : undefined;
      const newChild = Object.hasOwn(newProps, name) ? child(n, 'properties', name) : undefined;
      if (oldChild !== undefined && newChild !== undefined) compare(oldChild, newChild, path);
      else if (newChild !== undefined) {
        const optional = !newRequired.has(name);
        if (oldAdditional === false)
          loosened(
            'PROPERTY_ADDED',
            newChild,
            path,
            `${optional ? 'optional' : 'required'} property ${name} in an object old readers keep closed`,
            optional,
          );
        else if (isTrivial(oldAdditional) && isTrivial(newChild.node)) continue;
        else
          tightened(
            'PROPERTY_ADDED',
            newChild,
            path,
            `property ${name} now has a schema; old documents could carry other values there`,
          );
      } else if (oldChild !== undefined) {
        if (newAdditional === false)
          tightened('PROPERTY_REMOVED', oldChild, path, `property ${name} removed; the object stays closed`);
        else if (isTrivial(newAdditional))
          loosened(
            'PROPERTY_REMOVED',
            oldChild,
            path,
            `property ${name} removed; any value is now accepted there`,
          );
        else
          both(
            'PROPERTY_REMOVED',
            oldChild,
            path,
            `property ${name} removed; additionalProperties now applies`,
          );
      }
    }
    for (const name of [...newRequired].sort())
      if (!oldRequired.has(name))
        tightened('REQUIRED_ADDED', o, `${ip}/${escapePointerToken(name)}`, `${name} is now required`);
    for (const name of [...oldRequired].sort())
      if (!newRequired.has(name))
        loosened('REQUIRED_REMOVED', o, `${ip}/${escapePointerToken(name)}`, `${name} is no longer required`);

    // additionalProperties itself (its effect on named properties is handled above).
    if (stableStringify(oldAdditional) !== stableStringify(newAdditional)) {
      const detail = `additionalProperties ${display(on['additionalProperties'])} -> ${display(nn['additionalProperties'])}`;
      if (typeof oldAdditional !== 'boolean' && typeof newAdditional !== 'boolean') {
        const oldChild = child(o, 'additionalProperties');
        const newChild = child(n, 'additionalProperties');
        if (oldChild !== undefined && newChild !== undefined) compare(oldChild, newChild, `${ip}/*`);
      } else if (oldAdditional === false || newAdditional === true || isTrivial(newAdditional))
        loosened('ADDITIONAL_PROPERTIES_LOOSENED', o, ip, detail);
      else tightened('ADDITIONAL_PROPERTIES_TIGHTENED', o, ip, detail);
    }

    const oldPatterns = isObject(on['patternProperties']) ? on['patternProperties'] : {};
    const newPatterns = isObject(nn['patternProperties']) ? nn['patternProperties'] : {};
    for (const pattern of [...new Set([...Object.keys(oldPatterns), ...Object.keys(newPatterns)])].sort()) {
      const oldChild = Object.hasOwn(oldPatterns, pattern)
        ? child(o, 'patternProperties', pattern)
        : undefined;
      const newChild = Object.hasOwn(newPatterns, pattern)
        ? child(n, 'patternProperties', pattern)
        : undefined;
      if (oldChild !== undefined && newChild !== undefined) compare(oldChild, newChild, `${ip}/{${pattern}}`);
      else both('KEYWORD_CHANGED', o, ip, `patternProperties ${pattern} ${oldChild ? 'removed' : 'added'}`);
    }
    const oldNames = child(o, 'propertyNames');
    const newNames = child(n, 'propertyNames');
    if (oldNames !== undefined || newNames !== undefined)
      compare(oldNames ?? { ...o, node: true }, newNames ?? { ...n, node: true }, `${ip}/{name}`);
  }

  function compareArrays(o: Side, n: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    const oldItems = child(o, 'items');
    const newItems = child(n, 'items');
    if (oldItems !== undefined || newItems !== undefined)
      compare(
        oldItems ?? { ...o, pointer: `${o.pointer}/items`, node: true },
        newItems ?? { ...n, pointer: `${n.pointer}/items`, node: true },
        `${ip}/*`,
      );
    const oldPrefix = Array.isArray(on['prefixItems']) ? on['prefixItems'] : [];
    const newPrefix = Array.isArray(nn['prefixItems']) ? nn['prefixItems'] : [];
    if (oldPrefix.length !== newPrefix.length)
      both('KEYWORD_CHANGED', o, ip, `prefixItems length ${oldPrefix.length} -> ${newPrefix.length}`);
    for (let i = 0; i < Math.min(oldPrefix.length, newPrefix.length); i++) {
      const oldChild = child(o, 'prefixItems', String(i));
      const newChild = child(n, 'prefixItems', String(i));
      if (oldChild !== undefined && newChild !== undefined) compare(oldChild, newChild, `${ip}/${i}`);
    }
  }

  /** Pairs composition branches by `$ref` target, `if` condition, `const` discriminator, or position. */
  function branchKey(side: Side, index: number): string {
    const node = side.node;
    if (isObject(node)) {
      if (typeof node['$ref'] === 'string') {
        const target = resolveRef(side, node['$ref']);
        if (target !== undefined) return `ref:${locationKey(target)}`;
      }
      // Conditional rules (`allOf: [{if, then}]`) are paired by their condition, so inserting one
      // rule does not misalign all the others.
      if (node['if'] !== undefined) return `if:${stableStringify(node['if'])}`;
      const properties = node['properties'];
      if (isObject(properties))
        for (const name of Object.keys(properties).sort()) {
          const property = properties[name];
          if (isObject(property) && Object.hasOwn(property, 'const'))
            return `const:${name}=${stableStringify(property['const'])}`;
        }
    }
    return `index:${index}`;
  }

  function compareBranches(o: Side, n: Side, on: SchemaObject, nn: SchemaObject, ip: string): void {
    for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
      const oldBranches = Array.isArray(on[keyword]) ? (on[keyword] as unknown[]) : [];
      const newBranches = Array.isArray(nn[keyword]) ? (nn[keyword] as unknown[]) : [];
      const keyed = (side: Side, count: number) => {
        const map = new Map<string, Side>();
        for (let i = 0; i < count; i++) {
          const branch = child(side, keyword, String(i));
          if (branch !== undefined) map.set(branchKey(branch, i), branch);
        }
        return map;
      };
      const oldMap = keyed(o, oldBranches.length);
      const newMap = keyed(n, newBranches.length);
      for (const [key, oldBranch] of oldMap) {
        const newBranch = newMap.get(key);
        if (newBranch !== undefined) compare(oldBranch, newBranch, ip);
        else if (keyword === 'allOf') loosened('BRANCH_REMOVED', oldBranch, ip, `allOf entry ${key} removed`);
        else if (oldBranches.length > 0 && newBranches.length === 0)
          loosened('BRANCH_REMOVED', oldBranch, ip, `${keyword} removed entirely`);
        else tightened('BRANCH_REMOVED', oldBranch, ip, `${keyword} branch ${key} removed`);
      }
      for (const [key, newBranch] of newMap) {
        if (oldMap.has(key)) continue;
        if (keyword === 'allOf') tightened('BRANCH_ADDED', newBranch, ip, `allOf entry ${key} added`);
        else if (oldBranches.length === 0) tightened('BRANCH_ADDED', newBranch, ip, `${keyword} introduced`);
        else loosened('BRANCH_ADDED', newBranch, ip, `${keyword} branch ${key} added`);
      }
    }
  }

  const rootSide = (set: SchemaSet, file: SchemaFile): Side => ({ set, file, pointer: '', node: file.root });
  const fileNames = [...new Set([...oldSet.files.keys(), ...newSet.files.keys()])].sort();

  // Pass 1: files, $id and $defs, so that a change in a shared definition is reported once, where it is.
  for (const name of fileNames) {
    const oldFile = oldSet.files.get(name);
    const newFile = newSet.files.get(name);
    if (oldFile === undefined) {
      emit(
        'SCHEMA_ADDED',
        rootSide(newSet, newFile!),
        '',
        `new schema ${newFile!.id ?? name}`,
        'compatible',
        'compatible',
        {
          minorAdmissible: true,
        },
      );
      continue;
    }
    if (newFile === undefined) {
      emit(
        'SCHEMA_REMOVED',
        rootSide(oldSet, oldFile),
        '',
        `schema ${oldFile.id ?? name} removed`,
        'breaking',
        'compatible',
      );
      continue;
    }
    const sameMajor = oldFile.major === newFile.major;
    if (oldFile.id !== newFile.id)
      emit(
        'ID_CHANGED',
        rootSide(oldSet, oldFile),
        '',
        `${oldFile.id} -> ${newFile.id}`,
        'breaking',
        'breaking',
        {
          sameMajor,
        },
      );
    const oldDefs = isObject(oldFile.root) && isObject(oldFile.root['$defs']) ? oldFile.root['$defs'] : {};
    const newDefs = isObject(newFile.root) && isObject(newFile.root['$defs']) ? newFile.root['$defs'] : {};
    for (const def of [...new Set([...Object.keys(oldDefs), ...Object.keys(newDefs)])].sort()) {
      const oldDef = Object.hasOwn(oldDefs, def) ? child(rootSide(oldSet, oldFile), '$defs', def) : undefined;
      const newDef = Object.hasOwn(newDefs, def) ? child(rootSide(newSet, newFile), '$defs', def) : undefined;
      if (oldDef !== undefined && newDef !== undefined) compare(oldDef, newDef, '');
      else if (newDef !== undefined)
        emit('DEF_ADDED', newDef, '', `new definition ${def}`, 'compatible', 'compatible', {
          minorAdmissible: true,
        });
      else if (oldDef !== undefined)
        emit(
          'DEF_REMOVED',
          oldDef,
          '',
          `definition ${def} removed; external $refs to it break`,
          'breaking',
          'compatible',
        );
    }
  }
  // Pass 2: each schema's root, following $refs (already-compared definitions are skipped).
  for (const name of fileNames) {
    const oldFile = oldSet.files.get(name);
    const newFile = newSet.files.get(name);
    if (oldFile !== undefined && newFile !== undefined)
      compare(rootSide(oldSet, oldFile), rootSide(newSet, newFile), '');
  }

  const sameMajorOf = (change: Change): Change => {
    const oldFile = oldSet.files.get(change.schema);
    const newFile = newSet.files.get(change.schema);
    if (change.class === 'ID_CHANGED' || oldFile === undefined || newFile === undefined) return change;
    return { ...change, sameMajor: oldFile.major === newFile.major };
  };
  return changes
    .map(sameMajorOf)
    .sort(
      (a, b) =>
        a.schema.localeCompare(b.schema) ||
        a.pointer.localeCompare(b.pointer) ||
        a.instancePath.localeCompare(b.instancePath) ||
        a.class.localeCompare(b.class) ||
        a.detail.localeCompare(b.detail),
    );
}
