/**
 * Exposure profiles and alert matching (spec/v1/contagion.md#matching). Pure functions.
 *
 *   const profile = buildExposureProfile({ config: config.exposure, adapters: [adapter.exposure()] });
 *   matchSubject(profile, alert.subject) // → the profile entries the alert touches ([] = not exposed)
 */
// Type imports only: the dashboard serves this file to the browser as it is.
import type { Address, Asset, ExposureProfile as ConfigExposure, Subject } from '@sfr/schemas';

export type SubjectKind = 'asset' | 'oracle_feed' | 'contract' | 'protocol' | 'bridge' | 'chain';

/** One normalized thing the protocol depends on: addresses lower-case, no display names. */
export interface ExposureEntry {
  readonly kind: SubjectKind;
  readonly chain?: string;
  readonly address?: Address;
  readonly protocol?: string;
}

export interface ExposureProfile {
  readonly entries: readonly ExposureEntry[];
}

/** What an adapter reports (adapters/kit `ExposureProfile`): only the `subjects` list is read. */
export interface AdapterExposure {
  readonly subjects: readonly { kind: string; chain?: string; address?: Address; protocol?: string }[];
}

/** [sfr] The schema caps the config lists at 256 + 256 + 256 + 64; 16 adapters add their own. */
export const MAX_EXPOSURE_ENTRIES = 4096;

const KINDS: ReadonlySet<string> = new Set([
  'asset',
  'oracle_feed',
  'contract',
  'protocol',
  'bridge',
  'chain',
]);

/** Normalizes one subject into an entry, or `undefined` if it names nothing matchable. */
export function normalizeSubject(s: {
  kind: string;
  chain?: string | undefined;
  address?: Address | undefined;
  protocol?: string | undefined;
}): ExposureEntry | undefined {
  if (!KINDS.has(s.kind)) return undefined;
  const kind = s.kind as SubjectKind;
  // Lower-casing an `Address` keeps it one (the `0x` prefix is already lower case).
  const address = s.address === undefined ? undefined : (s.address.toLowerCase() as Address);
  switch (kind) {
    case 'asset':
    case 'oracle_feed':
    case 'contract':
      if (s.chain === undefined || address === undefined) return undefined;
      return { kind, chain: s.chain, address };
    case 'protocol':
      return s.protocol === undefined ? undefined : { kind, protocol: s.protocol };
    case 'bridge':
      if (s.protocol !== undefined)
        return {
          kind,
          protocol: s.protocol,
          ...(s.chain === undefined || address === undefined ? {} : { chain: s.chain, address }),
        };
      return s.chain === undefined || address === undefined ? undefined : { kind, chain: s.chain, address };
    case 'chain':
      return s.chain === undefined ? undefined : { kind, chain: s.chain };
  }
}

/** The stable key of an entry: equal keys name the same subject. */
export function subjectKey(e: ExposureEntry): string {
  switch (e.kind) {
    case 'protocol':
      return `protocol:${e.protocol}`;
    case 'chain':
      return `chain:${e.chain}`;
    case 'bridge':
      return e.protocol !== undefined ? `bridge:${e.protocol}` : `bridge:${e.chain}:${e.address}`;
    default:
      return `${e.kind}:${e.chain}:${e.address}`;
  }
}

function assetEntry(a: Asset): ExposureEntry | undefined {
  // A native asset has no address: it is covered by an alert about its chain.
  if (a.address === 'native') return { kind: 'chain', chain: a.chain };
  // The schema's `Asset.address` is `native` or an `Address` (its pattern), and `native` is handled above.
  return { kind: 'asset', chain: a.chain, address: a.address.toLowerCase() as Address };
}

/** Merges the configured profile with the adapters' reported subjects, de-duplicated, bounded. */
export function buildExposureProfile(p: {
  readonly config?: ConfigExposure | undefined;
  readonly adapters?: readonly AdapterExposure[] | undefined;
}): ExposureProfile {
  const byKey = new Map<string, ExposureEntry>();
  const add = (e: ExposureEntry | undefined): void => {
    if (e === undefined || byKey.size >= MAX_EXPOSURE_ENTRIES) return;
    const k = subjectKey(e);
    if (!byKey.has(k)) byKey.set(k, e);
  };
  const c = p.config ?? {};
  for (const a of c.assets ?? []) add(assetEntry(a));
  for (const s of c.oracles ?? []) add(normalizeSubject(s));
  for (const slug of c.protocols ?? []) add({ kind: 'protocol', protocol: slug });
  for (const s of c.bridges ?? []) add(normalizeSubject(s));
  for (const ad of p.adapters ?? []) for (const s of ad.subjects) add(normalizeSubject(s));
  return { entries: [...byKey.values()] };
}

const ADDRESSED: ReadonlySet<SubjectKind> = new Set(['asset', 'oracle_feed', 'contract', 'bridge']);

/**
 * Does the alert subject `s` touch entry `e`? The rules of contagion.md#matching, in order:
 * 1. asset / oracle_feed: an entry of the same kind, chain and address;
 * 2. contract: any addressed entry (asset, oracle_feed, contract, bridge) with the same chain and address;
 * 3. protocol: a protocol entry, or a bridge entry, with the same slug;
 * 4. bridge: a bridge entry with the same protocol slug, or the same chain and address;
 * 5. chain: any entry on that chain (a chain entry, or an addressed entry whose chain it is);
 * 6. anything else (`other`, or a subject missing its identifiers): nothing.
 */
export function subjectTouches(s: ExposureEntry, e: ExposureEntry): boolean {
  const sameAddr =
    s.chain !== undefined && s.chain === e.chain && s.address !== undefined && s.address === e.address;
  switch (s.kind) {
    case 'asset':
    case 'oracle_feed':
      return e.kind === s.kind && sameAddr;
    case 'contract':
      return ADDRESSED.has(e.kind) && sameAddr;
    case 'protocol':
      return (
        (e.kind === 'protocol' || e.kind === 'bridge') &&
        e.protocol !== undefined &&
        e.protocol === s.protocol
      );
    case 'bridge':
      if (e.kind !== 'bridge') return false;
      return (s.protocol !== undefined && s.protocol === e.protocol) || sameAddr;
    case 'chain':
      return e.chain === s.chain && (e.kind === 'chain' || ADDRESSED.has(e.kind));
  }
}

/** The profile entries an alert's subject touches (empty: the protocol is not exposed). */
export function matchSubject(
  profile: ExposureProfile,
  subject: Subject | Record<string, unknown>,
): ExposureEntry[] {
  const s = normalizeSubject(subject as Subject);
  if (s === undefined) return [];
  return profile.entries.filter((e) => subjectTouches(s, e));
}
