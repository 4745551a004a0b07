import { CliError, EXIT_USAGE } from './cliError.js';
import { callApi, readApiToken } from './poolsApi.js';

const MESSAGE_ID = /^0x[0-9a-f]{64}$/;
const VERDICTS = ['approve', 'reject', 'abstain'] as const;

/** `sfr vote <claimId> approve|reject|abstain`: a manual ClaimAttestation through the node API. */
export async function voteOnClaim(o: {
  api: string;
  claimId: string;
  verdict: string;
  amount?: string;
  reason?: string;
  note?: string;
  tokenFile?: string;
}): Promise<{ messageId: string; seq: number }> {
  if (!MESSAGE_ID.test(o.claimId))
    throw new CliError(
      'API_BAD_PARAMETER',
      'claimId must be a message id: 0x and 64 lower-case hex digits',
      EXIT_USAGE,
    );
  if (!(VERDICTS as readonly string[]).includes(o.verdict))
    throw new CliError('API_BAD_PARAMETER', `verdict must be one of ${VERDICTS.join(', ')}`, EXIT_USAGE);
  if (o.amount !== undefined && o.verdict !== 'approve')
    throw new CliError('API_BAD_PARAMETER', '--amount goes with approve only', EXIT_USAGE);
  if (o.reason !== undefined && o.verdict !== 'reject')
    throw new CliError('API_BAD_PARAMETER', '--reason goes with reject only', EXIT_USAGE);
  const token = await readApiToken(o.tokenFile);
  const claim = (await callApi(o.api, 'GET', `/v1/claims/${o.claimId}`)) as {
    poolId: string;
    requestedAmount: string;
  };
  const body = {
    poolId: claim.poolId,
    claimId: o.claimId,
    round: 0,
    verdict: o.verdict,
    ...(o.verdict === 'approve' ? { approvedAmount: o.amount ?? claim.requestedAmount } : {}),
    ...(o.reason === undefined ? {} : { reasonCode: o.reason }),
    ...(o.note === undefined ? {} : { note: o.note }),
    evidenceChecks: [],
  };
  const r = (await callApi(o.api, 'POST', `/v1/claims/${o.claimId}/votes`, { token, body })) as {
    messageId: string;
    seq: number;
  };
  return { messageId: r.messageId, seq: r.seq };
}
