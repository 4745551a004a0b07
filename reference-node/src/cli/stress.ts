import { validate } from '@sfr/schemas';
import type { PoolCharter } from '@sfr/schemas/types';
import cliProgress from 'cli-progress';
import { createPublicClient, http } from 'viem';
import { VaultError } from '../settlement/vaultError.js';
import {
  readVaultCapital,
  runStress,
  type StressReport,
  stressReportToCsv,
  stressReportToJson,
} from '../stress/index.js';
import { CliError } from './cliError.js';
import { readJsonFile } from './poolsApi.js';

/** [sfr] Runs shorter than this many trials get no progress bar (they finish in well under a second). */
export const PROGRESS_MIN_TRIALS = 2_000;

/**
 * `sfr stress --pool <charter> --scenarios <file>`: the charter (a PoolCharter payload, or a signed
 * PoolCharter envelope as in a node's `charterFile`) and the scenarios through `runStress`; with
 * `rpc`, each member's capital is read from the charter's vault through that RPC instead of taken
 * from its commitment. A progress bar on stderr when stderr is a TTY and the run is long.
 */
export async function stressPool(o: {
  pool: string;
  scenarios: string;
  rpc?: string;
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
  let capital: Map<string, bigint> | undefined;
  if (o.rpc !== undefined) {
    try {
      capital = await readVaultCapital({
        client: createPublicClient({ transport: http(o.rpc, { retryCount: 1 }) }),
        charter,
      });
    } catch (e) {
      if (e instanceof VaultError) throw new CliError(e.code, e.message.split('\n')[0]!);
      throw new CliError(
        'VAULT_RPC_UNAVAILABLE',
        `could not read the vault ${charter.settlement.vault} through ${o.rpc}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
  const showBar = o.progress ?? process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  const onProgress = (done: number, total: number) => {
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
  };
  const r = runStress(charter, scenarios, capital ? { capital, onProgress } : { onProgress });
  bar?.stop();
  if (!r.ok) throw new CliError(r.code, r.message);
  return r.report;
}

const pct = (bps: number | undefined) => (bps === undefined ? '–' : `${(bps / 100).toFixed(2)} %`);

/**
 * The human table of `sfr stress`: coverage is of what was claimed; the three columns after it
 * are the shares of the claimed amount lost to the deductible, the caps and the shortfall.
 */
export function formatStress(report: StressReport): string {
  const rows = [
    [
      'scenario',
      'trials',
      'claimed',
      'paid',
      'coverage',
      'deductible',
      'caps',
      'shortfall',
      'no-shortfall trials',
    ],
  ];
  for (const s of report.results)
    rows.push([
      s.name,
      String(s.trials),
      s.claimed.toString(),
      s.paid.toString(),
      pct(s.coverageBps),
      pct(s.lostToDeductibleBps),
      pct(s.lostToCapsBps),
      pct(s.shortfallBps),
      pct(s.noShortfallBps),
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '),
  );
  return `capital ${report.capital} (${report.capitalSource === 'vault' ? 'from the vault' : 'committed'})\n${table.join('\n')}\n`;
}

export { stressReportToCsv, stressReportToJson };
