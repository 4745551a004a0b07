import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const script = path.join(root, 'reference-node/scripts/generate-envelope-vectors.ts');

function run(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      [script, '--check'],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout });
      },
    );
  });
}

describe('generate-envelope-vectors --check', () => {
  it('regenerates the checked-in vectors byte for byte with the pure-JS backends forced by SFR_CRYPTO_BACKEND=js', async () => {
    const r = await run({ SFR_CRYPTO_BACKEND: 'js' });
    expect(r.stdout).toContain('"keccak":"noble","secp":"noble"');
    expect(r.stdout).toMatch(/145 cases, 0 changed/);
    expect(r.code).toBe(0);
  });
});
