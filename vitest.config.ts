import { defineConfig } from 'vitest/config';

// One vitest run covers every workspace. Workspaces resolve each other through their
// `exports` → dist, so `npm test` builds first (see the root `pretest`).
export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'adapters/*/test/**/*.test.ts'],
    setupFiles: ['./scripts/vitest-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The CI summary line is computed from this file (see .ci/run).
    reporters: ['default', ['json', { outputFile: '.cache/vitest-results.json' }]],
    pool: 'forks',
  },
});
