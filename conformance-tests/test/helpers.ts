import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const repoDir = path.dirname(packageDir);
export const fixtureVectors = path.join(packageDir, 'test/fixtures/vectors');
export const faultyHarness = path.join(packageDir, 'test/fixtures/faulty-harness.mjs');

/** A temporary vectors root with the given files (path relative to the root → JSON value). */
export function makeVectorsRoot(files: Record<string, unknown>): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sfr-vectors-'));
  for (const [relative, value] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A minimal valid case for the `canonicalize` handler. */
export function canonicalizeCase(description: string) {
  return {
    description,
    section: 'envelope.md#canonical-json',
    input: { value: {} },
    expected: { canonical: '{}' },
  };
}

export function captureIo(cwd = repoDir) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
      cwd,
    },
  };
}
