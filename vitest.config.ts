import { defineConfig } from 'vitest/config';
import { TIMEOUTS } from './scripts/testTimeouts.js';

// One vitest run covers every workspace, in three tiers run one after the other (groupOrder), so a
// tier's time is its own and the heavy tiers never compete with each other for the 2 cores:
//   unit         pure and in-process tests (one process, real libp2p on loopback, LevelDB), < 90 s here;
//   conformance  the black-box runner against the reference harness (child processes, anvil);
//   e2e          `*.e2e.test.ts`: node processes, anvil, a browser.
// `npx vitest run --project unit` runs one tier. Workspaces resolve each other through their
// `exports` → dist, so `npm test` builds first (see the root `pretest`). Bounds come from
// scripts/testTimeouts.ts.
const E2E = ['*/test/**/*.e2e.test.ts', 'adapters/*/test/**/*.e2e.test.ts'];
const CONFORMANCE = ['conformance-tests/test/**/*.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['./scripts/vitest-setup.ts'],
    // The CI summary line is computed from this file (see .ci/run).
    reporters: ['default', ['json', { outputFile: '.cache/vitest-results.json' }]],
    pool: 'forks',
    hookTimeout: TIMEOUTS.hook,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['*/test/**/*.test.ts', 'adapters/*/test/**/*.test.ts'],
          exclude: [...E2E, ...CONFORMANCE],
          // One module graph for every unit file (on 2 cores vitest runs one worker): libp2p, viem, ajv and
          // the node's sources are loaded once instead of once per file; import time falls from 141 s to
          // ~22 s (issue 13). A file that mocks a module resets the graph first (vi.resetModules in its
          // vi.hoisted, as network/parseOnce.test.ts); a file that switches a process-wide setting
          // (crypto backend, env) puts it back in a finally or afterAll.
          isolate: false,
          // The schemas' generated validators (ajv standalone code, ~1 MB of plain JS) are loaded by Node
          // itself, not transformed by Vite on every run: nothing mocks them.
          server: { deps: { external: [/\/schemas\/dist\/generated\//] } },
          testTimeout: TIMEOUTS.unitTest,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'conformance',
          include: CONFORMANCE,
          exclude: E2E,
          testTimeout: TIMEOUTS.e2eTest,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          testTimeout: TIMEOUTS.e2eTest,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
