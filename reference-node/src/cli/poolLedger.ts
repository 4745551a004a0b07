import { formatUnits } from 'viem';
import { CliError, EXIT_USAGE } from './cliError.js';
import type { NoticeJson } from './poolLeave.js';
import { callApi } from './poolsApi.js';

const POOL_ID = /^0x[0-9a-f]{64}$/;

type Ledger = {
  capital: string;
  paidOut: string;
  forfeitedDeposits: string;
  members: { member: string; committed: string; contributed: string; received: string; remaining: string }[];
};

/** The vault's books beside the ledger (GET /v1/pools/:poolId `onChain`, settlement.md#following-the-vault). */
type OnChain = {
  chain: string;
  vault: string;
  asset: { address: string; symbol: string; decimals: number } | null;
  syncedToBlock: string | null;
  error: { code: string; message: string } | null;
  members: { member: string; escrow: string; contributedOnChain: string }[];
  claims: {
    claimId: string;
    opened: boolean;
    settled: { amount: string; txHash: string } | null;
    paid: string;
    unpaid: string;
    /** This node's settlement of the claim (settlement.md#settling-exactly-once rule 4). */
    submission?: {
      state: string;
      rank?: number;
      hash?: string;
      byThisNode?: boolean;
      code?: string;
      args?: string[];
    };
    /** This node's turn at releasing what the rate limit held back (settlement.md#releasing-held-back-payouts). */
    release?: { state: string; nextReleaseAt?: number; code?: string; args?: string[] };
  }[];
  differences: { claimId: string; member: string | null; field: string; decided: string; onChain: string }[];
  /** This node's opens of the claims it filed (settlement.md#opening-a-claim rule 3). */
  opens?: { claimId: string; state: string; hash?: string; code?: string }[];
  /** The charter epochs the vault holds (CharterRegistered). */
  epochs: { epoch: number; charterHash: string; effectiveAt: number }[];
  /** This node's part in registering them (settlement.md#registering-on-adoption). */
  registrations?: { epoch: number; state: string; code?: string; args?: string[]; hash?: string }[];
};

export type PoolJson = Record<string, unknown> & { ledger: Ledger; claims?: unknown[]; onChain?: OnChain };

/** `sfr pool ledger <poolId>`: the pool view (GET /v1/pools/:poolId). */
export async function fetchPool(api: string, poolId: string): Promise<PoolJson> {
  if (!POOL_ID.test(poolId))
    throw new CliError('API_BAD_PARAMETER', 'poolId must be 0x and 64 lower-case hex digits', EXIT_USAGE);
  return (await callApi(api, 'GET', `/v1/pools/${poolId}`)) as PoolJson;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '),
  );
}

/** Base units in token units with the symbol, once the node has read the pool asset's ERC-20; else base units. */
export const inTokenUnits = (
  v: string,
  asset: { symbol: string; decimals: number } | null | undefined,
): string =>
  asset == null ? `${v} base units` : `${formatUnits(BigInt(v), asset.decimals)} ${asset.symbol}`;

/**
 * The ledger as text: base units, or token units with the symbol once the node has read the pool
 * asset's ERC-20 (a pool settled on a vault this node follows); with the vault's books beside it.
 */
export function formatLedger(poolId: string, view: PoolJson): string {
  const l = view.ledger;
  const on = view.onChain;
  const asset = on?.asset ?? null;
  const amount = (v: string) => (asset === null ? v : inTokenUnits(v, asset));
  const escrow = new Map((on?.members ?? []).map((m) => [m.member.toLowerCase(), m]));
  const head = ['member', 'committed', 'contributed', 'received', 'remaining'];
  if (on !== undefined) head.push('escrow (on-chain)', 'contributed (on-chain)');
  const rows = [head];
  for (const m of l.members) {
    const row = [
      m.member,
      amount(m.committed),
      amount(m.contributed),
      amount(m.received),
      amount(m.remaining),
    ];
    if (on !== undefined) {
      const v = escrow.get(m.member.toLowerCase());
      row.push(amount(v?.escrow ?? '0'), amount(v?.contributedOnChain ?? '0'));
    }
    rows.push(row);
  }
  const out = [
    `pool      ${poolId}`,
    `capital   ${amount(l.capital)}   paid out ${amount(l.paidOut)}   forfeited deposits ${l.forfeitedDeposits}   claims ${view.claims?.length ?? 0}`,
    ...table(rows),
  ];
  // pools.md#giving-notice: each member's notice, adopted or waiting for co-signatures.
  for (const n of (view['notices'] ?? []) as NoticeJson[])
    out.push(
      n.member === null
        ? `amendment epoch ${n.epoch} ${n.payloadHash}: signed by ${n.signers.join(', ')}, not a notice (${n.refused})`
        : `notice    ${n.member} leaves at ${new Date(n.leavingAt ?? 0).toISOString()}: epoch ${n.epoch} ${n.adopted ? 'adopted' : 'waiting for co-signatures'}, signed by ${n.signers.join(', ')}${n.refused === null ? '' : ` (not co-signed here: ${n.refused})`}`,
    );
  if (on !== undefined) {
    out.push(
      '',
      `vault     ${on.vault} on ${on.chain}, read to block ${on.syncedToBlock ?? '(not yet)'}${on.error === null ? '' : `   NOT FOLLOWED: ${on.error.code} (${on.error.message})`}`,
    );
    const refused = (on.registrations ?? [])
      .filter((r) => r.state === 'refused')
      .map((r) => `   epoch ${r.epoch} REFUSED: ${r.code}(${(r.args ?? []).join(', ')})`);
    out.push(
      `charters  ${on.epochs.length === 0 ? 'none registered on the vault yet' : `epoch ${on.epochs.map((x) => x.epoch).join(', ')} registered on the vault`}${refused.join('')}`,
    );
    if (on.claims.length > 0) {
      const claims = [['claim', 'on-chain', 'settled', 'paid', 'unpaid', 'transaction']];
      for (const c of on.claims)
        claims.push([
          c.claimId,
          c.settled !== null ? 'settled' : c.opened ? 'opened' : '-',
          c.settled === null ? '-' : amount(c.settled.amount),
          amount(c.paid),
          amount(c.unpaid),
          c.settled?.txHash ?? '-',
        ]);
      out.push(...table(claims));
      for (const c of on.claims) {
        const m = c.submission;
        if (m === undefined) continue;
        const rank = m.rank === undefined ? '' : ` (rank ${m.rank})`;
        out.push(
          m.state === 'settled'
            ? `settle    ${c.claimId}: settled${m.hash === undefined ? '' : ` in ${m.hash}`}${m.byThisNode === true ? ' by this node' : ''}${rank}`
            : m.state === 'refused'
              ? `settle    ${c.claimId} REFUSED: ${m.code}(${(m.args ?? []).join(', ')})${rank}`
              : `settle    ${c.claimId}: ${m.state}${rank}${m.code === undefined ? '' : ` on ${m.code}`}`,
        );
      }
      for (const c of on.claims) {
        const r = c.release;
        if (c.unpaid === '0' || r === undefined) continue;
        out.push(
          r.state === 'refused'
            ? `release   ${c.claimId} REFUSED: ${r.code}(${(r.args ?? []).join(', ')})`
            : `release   ${c.claimId}: ${amount(c.unpaid)} held back, next release ${r.nextReleaseAt === undefined ? 'being read' : `at ${new Date(r.nextReleaseAt).toISOString()} (chain time)`}`,
        );
      }
    }
    for (const o of on.opens ?? [])
      out.push(
        o.state === 'refused'
          ? `open      ${o.claimId} REFUSED: ${o.code}`
          : `open      ${o.claimId}: ${o.state}${o.hash === undefined ? '' : ` in ${o.hash}`}${o.code === undefined ? '' : ` (retrying on ${o.code})`}`,
      );
    for (const d of on.differences)
      out.push(
        `DIFFERENCE ${d.claimId}${d.member === null ? '' : ` ${d.member}`} ${d.field}: decided ${amount(d.decided)}, on-chain ${amount(d.onChain)}`,
      );
  }
  out.push('');
  return out.join('\n');
}
