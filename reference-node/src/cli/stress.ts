import { validate } from '@sfr/schemas';
import type { PoolCharter } from '@sfr/schemas/types';
import cliProgress from 'cli-progress';
import { runStress, type StressReport, stressReportToCsv, stressReportToJson } from '../stress/index.js';
import { CliError } from './cliError.js';
import { readJsonFile } from './poolsApi.js';

/** [sfr] Runs shorter than this many trials get no progress bar (they finish in well under a second). */
export const PROGRESS_MIN_TRIALS = 2_000;

/**
 * `sfr stress --pool <charter> --scenarios <file>`: the charter (a PoolCharter payload, or a signed
 * PoolCharter envelope as in a node's `charterFile`) and the scenarios through `runStress`. A
 * progress bar on stderr when stderr is a TTY and the run is long.
 */
export async function stressPool(o: {
  pool: string;
  scenarios: string;
  progress?: boolean;
}): Promise<StressReport> {
  const raw = (await readJsonFile(o.pool, 'charter file')) as Record<string, unknown>;
  const candidate =
    raw['type'] === 'PoolCharter' && typeof raw['payload'] === 'object' ? raw['payload'] : raw;
  const v = validate('PoolCharter', candidate);
  if (!v.ok) {
    const i = v.issues[0]!;
    throw new CliError(i.code, `${o.pool} is not a PoolCharter: ${i.message} at ${i.pointer || '/'}`);
  }
  const charter = v.value as unknown as PoolCharter;
  const scenarios = await readJsonFile(o.scenarios, 'scenario file');
  const showBar = o.progress ?? process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  const r = runStress(charter, scenarios, (done, total) => {
    if (!showBar || total < PROGRESS_MIN_TRIALS) return;
    if (bar === undefined) {
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'stress [{bar}] {percentage}% | {value}/{total} trials | eta {eta}s',
          // Only reached on a TTY or when the caller forces the bar: then draw it whatever the stream.
          noTTYOutput: true,
          notTTYSchedule: 250,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    }
    bar.update(done);
  });
  bar?.stop();
  if (!r.ok) throw new CliError(r.code, r.message);
  return r.report;
}

const pct = (bps: number | undefined) => (bps === undefined ? '–' : `${(bps / 100).toFixed(2)} %`);

/** The human table of `sfr stress`. */
export function formatStress(report: StressReport): string {
  const rows = [['scenario', 'trials', 'claimed', 'due', 'paid', 'shortfall', 'coverage', 'fully covered']];
  for (const s of report.results)
    rows.push([
      s.name,
      String(s.trials),
      s.claimed.toString(),
      s.due.toString(),
      s.paid.toString(),
      s.shortfall.toString(),
      pct(s.coverageBps),
      pct(s.fullyCoveredBps),
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '),
  );
  return `capital ${report.capital}\n${table.join('\n')}\n`;
}

export { stressReportToCsv, stressReportToJson };
