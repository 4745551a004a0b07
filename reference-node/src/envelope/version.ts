/**
 * The wire version this library speaks (spec/v1/versioning.md#the-version-rule): the one definition of
 * the MAJOR, the highest MINOR and the `sfr` string's form, used by the envelope checks, the
 * validation pipeline and the node.
 */

/** Wire MAJOR this library implements. */
export const SFR_MAJOR = 1;
/** Highest MINOR of `SFR_MAJOR` this library implements; it also accepts the one before (N−1). */
export const SFR_MINOR = 0;
/** `MAJOR.MINOR`, each part 0 … 999 without leading zeros (versioning.md rule 1, envelope.md#sfr). */
export const SFR_VERSION_PATTERN = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

/** MAJOR and MINOR of a well-formed `sfr` string, or `null`. */
export function parseVersion(sfr: unknown): { major: number; minor: number } | null {
  if (typeof sfr !== 'string') return null;
  const m = SFR_VERSION_PATTERN.exec(sfr);
  return m === null ? null : { major: Number(m[1]), minor: Number(m[2]) };
}
