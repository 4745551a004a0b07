import type { SubmitResponse } from '@sfr/schemas/types';
import { CliError, EXIT_USAGE } from './cliError.js';
import { fetchPool, inTokenUnits, type PoolJson } from './poolLedger.js';
import { callApi, readApiToken } from './poolsApi.js';

/** [sfr] How often `sfr pool leave` asks the node whether the others co-signed. */
const POLL_MS = 250;

/** A notice as the pool view shows it (GET /v1/pools/:poolId `notices`, pools.md#giving-notice). */
export type NoticeJson = {
  epoch: number;
  payloadHash: string;
  member: string | null;
  leavingAt: number | null;
  effectiveAt: number;
  signers: string[];
  adopted: boolean;
  refused: string | null;
};

export type LeaveReport = {
  poolId: string;
  member: string;
  /** The notice-only amendment this node signed. */
  messageId: string;
  /** The notice's epoch: a later one than signed when it was superseded and given again (pools.md#giving-notice step 7). */
  epoch: number;
  effectiveAt: number;
  leavingAt: number;
  /** Members who signed it besides the leaving one, in signing order. */
  coSigners: string[];
  adopted: boolean;
  /** The vault holds the amendment's epoch (null: the node follows no vault for the pool). */
  registered: boolean | null;
  /** What the member may withdraw from `leavingAt` (chain time), once no claim it is liable for is open. */
  withdrawal: {
    opensAt: number;
    escrow: string | null;
    asset: { address: string; symbol: string; decimals: number } | null;
  };
};

/** The report from the signed amendment and the node's pool view. */
export function leaveReportOf(poolId: string, sent: SubmitResponse, view: PoolJson): LeaveReport {
  const env = sent.envelope as unknown as {
    issuer: string;
    payload: { epoch: number; effectiveAt: number; members: { member: string; leavingAt?: number }[] };
  };
  const member = env.issuer.toLowerCase();
  const signedEpoch = env.payload.epoch;
  const signedLeavingAt =
    env.payload.members.find((m) => m.member.toLowerCase() === member)?.leavingAt ?? env.payload.effectiveAt;
  const notices = (view['notices'] ?? []) as NoticeJson[];
  // pools.md#giving-notice step 7: superseded by another member's notice of its epoch, the node gives it
  // again under that one; the report follows the member's latest notice then.
  const notice =
    notices.find((n) => n.epoch === signedEpoch && n.member === member && n.leavingAt === signedLeavingAt) ??
    notices.filter((n) => n.epoch > signedEpoch && n.member === member && n.refused === null).at(-1);
  const epoch = notice?.epoch ?? signedEpoch;
  const leavingAt = notice?.leavingAt ?? signedLeavingAt;
  const on = view.onChain;
  return {
    poolId,
    member,
    messageId: sent.messageId,
    epoch,
    effectiveAt: notice?.effectiveAt ?? env.payload.effectiveAt,
    leavingAt,
    coSigners: (notice?.signers ?? []).filter((s) => s !== member),
    adopted: notice?.adopted === true,
    registered: on === undefined ? null : on.epochs.some((x) => x.epoch === epoch),
    withdrawal: {
      opensAt: leavingAt,
      escrow: on?.members.find((m) => m.member.toLowerCase() === member)?.escrow ?? null,
      asset: on?.asset ?? null,
    },
  };
}

/**
 * `sfr pool leave <poolId> [--at <ISO time>]` (pools.md#giving-notice): the node signs its member's
 * notice-only amendment (POST /v1/pools/:poolId/notice), then this follows GET /v1/pools/:poolId until
 * the others' nodes co-signed it and it is adopted (and registered on the vault the node follows), or
 * `waitMs` passed: then POOL_AMENDMENT_NO_QUORUM naming who signed, when it is not adopted.
 */
export async function leavePool(o: {
  poolId: string;
  at?: string;
  api: string;
  tokenFile?: string;
  waitMs: number;
}): Promise<LeaveReport> {
  if (!Number.isSafeInteger(o.waitMs) || o.waitMs < 0)
    throw new CliError('API_BAD_PARAMETER', '--wait must be a number of milliseconds ≥ 0', EXIT_USAGE);
  const at = o.at === undefined ? undefined : Date.parse(o.at);
  if (at !== undefined && (!/^\d{4}-\d\d-\d\dT/.test(o.at ?? '') || !Number.isSafeInteger(at) || at < 0))
    throw new CliError(
      'API_BAD_PARAMETER',
      `--at must be an ISO 8601 time like 2027-01-31T12:00:00Z, not ${(o.at ?? '').slice(0, 40)}`,
      EXIT_USAGE,
    );
  await fetchPool(o.api, o.poolId); // checks the pool id, and that the node takes part in the pool
  const token = await readApiToken(o.tokenFile);
  const sent = (await callApi(
    o.api,
    'POST',
    `/v1/pools/${o.poolId}/notice${at === undefined ? '' : `?leavingAt=${at}`}`,
    { token },
  )) as SubmitResponse;
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    const report = leaveReportOf(o.poolId, sent, await fetchPool(o.api, o.poolId));
    if (report.adopted && report.registered !== false) return report;
    if (Date.now() >= deadline) {
      if (report.adopted) return report;
      throw new CliError(
        'POOL_AMENDMENT_NO_QUORUM',
        `the notice (epoch ${report.epoch}, message ${report.messageId}) is not adopted after ${o.waitMs} ms: co-signed by ${report.coSigners.join(', ') || 'nobody yet'}; it is adopted once members with the quorum sign it before ${new Date(report.effectiveAt).toISOString()}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The report as text: the amendment, who co-signed it, and when and what the member may withdraw. */
export function formatLeave(r: LeaveReport): string {
  const iso = (t: number) => new Date(t).toISOString();
  const escrow =
    r.withdrawal.escrow === null
      ? ''
      : ` of its escrow, now ${inTokenUnits(r.withdrawal.escrow, r.withdrawal.asset)},`;
  return [
    `notice given: ${r.member} leaves pool ${r.poolId} at ${iso(r.leavingAt)}`,
    `amendment  epoch ${r.epoch}, message ${r.messageId}, effective ${iso(r.effectiveAt)}, ${r.adopted ? 'adopted' : 'not adopted yet'}${r.registered === null ? '' : r.registered ? ', registered on the vault' : ', not registered on the vault yet'}`,
    `co-signed  ${r.coSigners.length === 0 ? 'by nobody yet' : `by ${r.coSigners.join(', ')}`}`,
    `withdrawal${escrow} opens at ${iso(r.withdrawal.opensAt)} (chain time), once no claim the member is liable for is open`,
    '',
  ].join('\n');
}
