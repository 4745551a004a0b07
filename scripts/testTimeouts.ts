/**
 * Every bound a test waits under, in one table (issue 13: a suite that passes alone but not beside other
 * work is a broken suite). Tests wait on conditions and events through `waitFor`; these numbers only say
 * when to give up, so they are generous: measured on the 2-core CI machine with both cores busy
 * (`stress-ng --cpu 2`), the slowest wait of each kind stayed under a third of its bound.
 *
 * `SFR_TEST_TIMEOUT_SCALE` multiplies them all (e.g. 3 under a debugger or valgrind).
 */
const scale = Number(process.env['SFR_TEST_TIMEOUT_SCALE'] ?? '1') || 1;

function ms(n: number): number {
  return Math.round(n * scale);
}

export const TIMEOUTS = {
  /** A message, verdict, notice or derived state to reach one or more nodes on loopback. */
  event: ms(30_000),
  /** Gossipsub meshes to form between freshly started nodes. */
  mesh: ms(45_000),
  /** A child process (node, anvil, harness, browser) to start and answer. */
  start: ms(60_000),
  /** A whole scenario across processes (crash rounds, catch-up after a partition, pool decisions). */
  scenario: ms(180_000),
  /** The default bound of one test in the unit tier (pure and in-process). */
  unitTest: ms(120_000),
  /** The default bound of one test in the e2e and conformance tiers (processes, anvil, browser). */
  e2eTest: ms(300_000),
  /** beforeAll / afterAll: networks, chains and processes started or stopped for a file. */
  hook: ms(180_000),
} as const;

/**
 * Resolves once `cond` holds, checking every `stepMs`; rejects with what it was waiting for after
 * `timeoutMs`. The bound comes from `TIMEOUTS`; never a bare number at the call site.
 */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number = TIMEOUTS.event,
  what = 'condition',
  stepMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
