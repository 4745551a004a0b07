/** Bounds a document must respect before it reaches the schema validator. */
export interface ValidationLimits {
  /** Maximum size in UTF-8 bytes (for a parsed value: the summed length of its strings and keys plus one per node). */
  readonly maxBytes: number;
  /** Maximum nesting depth of arrays and objects (the top-level value is depth 1). */
  readonly maxDepth: number;
  /** Maximum number of values (objects, arrays, strings, numbers, booleans, nulls) in the document. */
  readonly maxNodes: number;
}

/**
 * Defaults. 1 MiB is the largest message the reference node relays (a `ClaimDecision` embedding the
 * attestations of 64 members is about 150 kB); the deepest v1 document (an `EquivocationEvidence`
 * envelope holding two `ClaimDecision` envelopes with their attestations) nests 14 levels, so 64
 * leaves room for extension data; 262 144 values is more than 1 MiB of JSON can hold at 4 bytes each.
 */
export const defaultLimits: ValidationLimits = Object.freeze({
  maxBytes: 1_048_576,
  maxDepth: 64,
  maxNodes: 262_144,
});

/** Merges caller overrides into the defaults, ignoring values that are not positive integers. */
export function resolveLimits(limits: Partial<ValidationLimits> | undefined): ValidationLimits {
  if (limits === undefined) return defaultLimits;
  const pick = (v: unknown, d: number): number =>
    typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : d;
  return {
    maxBytes: pick(limits.maxBytes, defaultLimits.maxBytes),
    maxDepth: pick(limits.maxDepth, defaultLimits.maxDepth),
    maxNodes: pick(limits.maxNodes, defaultLimits.maxNodes),
  };
}
