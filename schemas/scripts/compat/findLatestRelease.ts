import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Release folders are named by SemVer 2.0.0 (schemas/released/README.md), e.g. 1.0.0-draft.1.
const versionPattern = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Orders two release versions by SemVer 2.0.0 §11 precedence; `undefined` if one is not a version. */
export function compareVersions(a: string, b: string): number | undefined {
  const ma = versionPattern.exec(a);
  const mb = versionPattern.exec(b);
  if (ma === null || mb === null) return undefined;
  for (let i = 1; i <= 3; i++) {
    const diff = Number(ma[i]) - Number(mb[i]);
    if (diff !== 0) return diff;
  }
  const pa = ma[4];
  const pb = mb[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const ta = pa.split('.');
  const tb = pb.split('.');
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (!nx && x !== y) return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/** The highest-versioned folder in `releasedDir`, or `undefined` when there is none. */
export function findLatestRelease(releasedDir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(releasedDir).filter(
      (name) => versionPattern.test(name) && statSync(join(releasedDir, name)).isDirectory(),
    );
  } catch {
    return undefined;
  }
  names.sort((a, b) => compareVersions(a, b) ?? 0);
  const latest = names.at(-1);
  return latest === undefined ? undefined : join(releasedDir, latest);
}
