import { CliError, EXIT_USAGE } from './cliError.js';
import { callApi } from './poolsApi.js';

const POOL_ID = /^0x[0-9a-f]{64}$/;

type Ledger = {
  capital: string;
  paidOut: string;
  forfeitedDeposits: string;
  members: { member: string; committed: string; contributed: string; received: string; remaining: string }[];
};

/** `sfr pool ledger <poolId>`: the pool view (GET /v1/pools/:poolId). */
export async function fetchPool(
  api: string,
  poolId: string,
): Promise<Record<string, unknown> & { ledger: Ledger }> {
  if (!POOL_ID.test(poolId))
    throw new CliError('API_BAD_PARAMETER', 'poolId must be 0x and 64 lower-case hex digits', EXIT_USAGE);
  return (await callApi(api, 'GET', `/v1/pools/${poolId}`)) as Record<string, unknown> & { ledger: Ledger };
}

export function formatLedger(poolId: string, l: Ledger, claims: number): string {
  const rows = [['member', 'committed', 'contributed', 'received', 'remaining']];
  for (const m of l.members) rows.push([m.member, m.committed, m.contributed, m.received, m.remaining]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '),
  );
  return [
    `pool      ${poolId}`,
    `capital   ${l.capital}   paid out ${l.paidOut}   forfeited deposits ${l.forfeitedDeposits}   claims ${claims}`,
    ...table,
    '',
  ].join('\n');
}
