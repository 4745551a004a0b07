/** `sfr replay <scenario>`: plays a crisis replay and prints its report case by case. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatOutcome, loadScenario, playScenario, ReplayError } from '../replay/index.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cliError.js';

/** The repository root (adapters/ holds the test contracts), two levels above src/cli and dist/cli. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The shipped scenarios. */
export const SCENARIOS_DIR = path.join(ROOT, 'reference-node/scenarios');

/** A file path, or the name of a shipped scenario. */
export function resolveScenario(arg: string): string {
  if (existsSync(arg) || arg.includes('/') || arg.endsWith('.json')) return arg;
  return path.join(SCENARIOS_DIR, `${arg}.json`);
}

export async function replayCommand(
  arg: string,
  o: { data?: string; timeoutMs: string; quiet: boolean; json: boolean; keepRunning?: boolean },
  out: { stdout: (s: string) => void; stderr: (s: string) => void },
): Promise<number> {
  const timeoutMs = Number(o.timeoutMs);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1_000)
    throw new CliError('API_BAD_PARAMETER', '--timeout-ms must be an integer ≥ 1000', EXIT_USAGE);
  try {
    const scenario = await loadScenario(resolveScenario(arg));
    const result = await playScenario(scenario, {
      root: ROOT,
      dataDir: path.resolve(o.data ?? path.join(tmpdir(), `sfr-replay-${scenario.name}-${process.pid}`)),
      cacheDir: path.join(ROOT, '.cache/solc'),
      timeoutMs,
      ...(o.quiet || o.json ? {} : { print: (line: string) => out.stdout(`${line}\n`) }),
      keepRunning: o.keepRunning === true,
    });
    out.stdout(
      o.json
        ? `${JSON.stringify({ scenario: scenario.name, ok: result.ok, cases: result.cases }, null, 2)}\n`
        : `\n${formatOutcome(scenario.name, result.cases)}`,
    );
    if (o.keepRunning === true) await untilInterrupted(result.stop, out);
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  } catch (error) {
    if (error instanceof ReplayError) throw new CliError(error.code, error.message, EXIT_FAILURE);
    throw error;
  }
}

/**
 * `--keep-running` (`npm start`): the network and chain stay up, their dashboards live, until Ctrl-C
 * (SIGINT) or SIGTERM; then every node is stopped, and the chain after them.
 */
async function untilInterrupted(
  stop: () => Promise<void>,
  out: { stdout: (s: string) => void },
): Promise<void> {
  out.stdout(
    '\nthe network keeps running (dashboards above, each node’s API and log in its folder). Ctrl-C stops it.\n',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.stdout(`${signal}: stopping every node, then the chain …\n`);
  await stop();
  out.stdout('stopped\n');
}
