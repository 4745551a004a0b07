import { CliError, EXIT_USAGE } from './cliError.js';
import { callApi, readApiToken, readJsonFile } from './poolsApi.js';

const POOL_ID = /^0x[0-9a-f]{64}$/;
const short = (id: string) => `${id.slice(0, 10)}…${id.slice(-4)}`;

type Claim = {
  poolId: string;
  claimId: string;
  status: string;
  claimant: string;
  requestedAmount: string;
  closesAt: number;
  myVote: string | null;
  pendingVote: string | null;
  /** Cited RecoveryEvents the node waits for before attesting (pools.md#re-derivation step 2). */
  awaitingEvents?: string[];
  decision: { outcome: string; approvedAmount: string } | null;
};

/** `sfr claims`: the claims of the node's pools with their state. */
export async function listClaims(o: { api: string; pool?: string; status?: string }): Promise<Claim[]> {
  if (o.pool !== undefined && !POOL_ID.test(o.pool))
    throw new CliError(
      'API_BAD_PARAMETER',
      '--pool must be a pool id: 0x and 64 lower-case hex digits',
      EXIT_USAGE,
    );
  const q = new URLSearchParams();
  if (o.pool !== undefined) q.set('pool', o.pool);
  if (o.status !== undefined) q.set('status', o.status);
  const qs = q.toString();
  const r = (await callApi(o.api, 'GET', `/v1/claims${qs ? `?${qs}` : ''}`)) as { items: Claim[] };
  return r.items;
}

/** The human table of `sfr claims`. */
export function formatClaims(items: readonly Claim[]): string {
  if (items.length === 0) return 'no claims\n';
  const rows = [['claim', 'pool', 'status', 'requested', 'decided', 'my vote', 'waiting for']];
  for (const c of items)
    rows.push([
      short(c.claimId),
      short(c.poolId),
      c.status,
      c.requestedAmount,
      c.decision === null ? '–' : `${c.decision.outcome} ${c.decision.approvedAmount}`,
      c.myVote ?? '–',
      c.pendingVote !== null
        ? `your vote (${c.pendingVote})`
        : (c.awaitingEvents?.length ?? 0) > 0
          ? `recovery events (${c.awaitingEvents!.map(short).join(', ')})`
          : '',
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((v, i) => v.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** `sfr claim file`: sign and publish a FundClaim read from a file. */
export async function fileClaim(o: {
  api: string;
  pool: string;
  file: string;
  tokenFile?: string;
}): Promise<{ messageId: string; seq: number }> {
  if (!POOL_ID.test(o.pool))
    throw new CliError(
      'API_BAD_PARAMETER',
      '--pool must be a pool id: 0x and 64 lower-case hex digits',
      EXIT_USAGE,
    );
  const token = await readApiToken(o.tokenFile);
  const claim = (await readJsonFile(o.file, 'claim file')) as Record<string, unknown>;
  const body = { ...claim, poolId: claim['poolId'] ?? o.pool };
  const r = (await callApi(o.api, 'POST', `/v1/pools/${o.pool}/claims`, { token, body })) as {
    messageId: string;
    seq: number;
  };
  return { messageId: r.messageId, seq: r.seq };
}
