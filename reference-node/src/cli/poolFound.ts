import type { PoolCharter } from '@sfr/schemas/types';
import { formatUnits } from 'viem';
import { CliError, EXIT_USAGE } from './cliError.js';
import type { PoolJson } from './poolLedger.js';
import { callApi, readApiToken, readJsonFile } from './poolsApi.js';

/** [sfr] How often `sfr pool found` asks the node whether every member signed. */
const POLL_MS = 250;

/** One member of the founding text as `sfr pool found` reports it. */
export type FoundMember = {
  member: string;
  weight: number;
  /** Base units of the unit asset. */
  commitment: string;
  /** Message id of its signature of this text, or null while it is awaited. */
  signature: string | null;
};

export type FoundReport = {
  poolId: string;
  payloadHash: string | null;
  /** The pool's founding charter is adopted on the node (every member signed this text). */
  founded: boolean;
  asset: { address: string; symbol: string; decimals: number; source: 'erc20' | 'charter' };
  members: FoundMember[];
};

type FoundingJson = {
  payloadHash: string;
  complete: boolean;
  members: { member: string; messageId: string | null }[];
};

/** The unit-asset commitment of one member (pools.md#capital: the commitment in the unit asset). */
function commitmentOf(charter: PoolCharter, member: string): string {
  const m = charter.members.find((x) => x.member.toLowerCase() === member);
  const unit = charter.valuation.unitAsset;
  const c = m?.commitments.find(
    (x) => x.asset.chain === unit.chain && x.asset.address.toLowerCase() === unit.address.toLowerCase(),
  );
  return c?.value ?? '0';
}

/** The report from the charter sent and the node's pool view (its `founding` texts and adopted charters). */
export function foundReportOf(charter: PoolCharter, view: PoolJson | null): FoundReport {
  const poolId = charter.poolId.toLowerCase();
  const texts = (view?.['founding'] ?? []) as FoundingJson[];
  const adopted = ((view?.['epochs'] ?? []) as { epoch: number; payloadHash: string }[]).find(
    (c) => c.epoch === 0,
  );
  // The text this command signed: the node holds it among the founding texts, members ascending.
  const mine = new Set(charter.members.map((m) => m.member.toLowerCase()));
  const text =
    texts.find((t) => t.payloadHash === adopted?.payloadHash) ??
    texts.find((t) => t.members.length === mine.size && t.members.every((m) => mine.has(m.member))) ??
    null;
  const signed = new Map((text?.members ?? []).map((m) => [m.member, m.messageId]));
  const erc20 = view?.onChain?.asset ?? null;
  const unit = charter.valuation.unitAsset;
  return {
    poolId,
    payloadHash: text?.payloadHash ?? null,
    founded: adopted !== undefined && adopted.payloadHash === text?.payloadHash,
    asset:
      erc20 !== null
        ? { ...erc20, source: 'erc20' }
        : { address: unit.address, symbol: unit.symbol, decimals: unit.decimals, source: 'charter' },
    members: [...mine].sort().map((member) => ({
      member,
      weight: charter.members.find((x) => x.member.toLowerCase() === member)?.weight ?? 0,
      commitment: commitmentOf(charter, member),
      signature: signed.get(member) ?? null,
    })),
  };
}

/**
 * `sfr pool found --charter <file>` (pools.md#founding): signs the founding text through the node
 * (POST /v1/pools), then follows GET /v1/pools/:poolId until every member's node co-signed it and the
 * pool is founded, or `waitMs` passed (then POOL_NOT_FOUNDED with who is still awaited).
 */
export async function foundPool(o: {
  charter: string;
  api: string;
  tokenFile?: string;
  waitMs: number;
  onProgress?: (r: FoundReport) => void;
}): Promise<FoundReport> {
  if (!Number.isSafeInteger(o.waitMs) || o.waitMs < 0)
    throw new CliError('API_BAD_PARAMETER', '--wait must be a number of milliseconds ≥ 0', EXIT_USAGE);
  const charter = (await readJsonFile(o.charter, '--charter')) as PoolCharter;
  if (typeof charter?.poolId !== 'string' || !Array.isArray(charter.members))
    throw new CliError('SCHEMA_INVALID', `--charter ${o.charter} is not a PoolCharter payload`, EXIT_USAGE);
  const token = await readApiToken(o.tokenFile);
  await callApi(o.api, 'POST', '/v1/pools', { token, body: charter });
  const deadline = Date.now() + o.waitMs;
  let seen = '';
  for (;;) {
    const view = (await callApi(o.api, 'GET', `/v1/pools/${charter.poolId.toLowerCase()}`)) as PoolJson;
    const report = foundReportOf(charter, view);
    const now = JSON.stringify(report.members.map((m) => m.signature));
    if (now !== seen) {
      seen = now;
      o.onProgress?.(report);
    }
    if (report.founded) return report;
    if (Date.now() >= deadline) {
      const waiting = report.members.filter((m) => m.signature === null).map((m) => m.member);
      throw new CliError(
        'POOL_NOT_FOUNDED',
        `pool ${report.poolId} is not founded after ${o.waitMs} ms: no signature yet from ${waiting.join(', ') || '(none: the node has not adopted the text yet)'}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The report as text: pool id, then each member's weight, commitment in token units and signature. */
export function formatFound(r: FoundReport): string {
  const amount = (v: string) => `${formatUnits(BigInt(v), r.asset.decimals)} ${r.asset.symbol}`;
  const rows = [['member', 'weight', 'commitment', 'signature']];
  for (const m of r.members)
    rows.push([m.member, String(m.weight), amount(m.commitment), m.signature ?? 'awaited']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
  const lines = rows.map((x) =>
    x
      .map((v, i) => (i === 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  return [
    `pool      ${r.poolId}  ${r.founded ? 'FOUNDED' : 'awaiting signatures'}`,
    `charter   ${r.payloadHash ?? '(not held yet)'}   asset ${r.asset.symbol} ${r.asset.address}${r.asset.source === 'charter' ? ' (as the charter declares it)' : ''}`,
    ...lines,
    '',
  ].join('\n');
}
