import type { SettleResponse } from '@sfr/schemas/types';
import { CliError, EXIT_USAGE } from './cliError.js';
import { inTokenUnits } from './poolLedger.js';
import { callApi, readApiToken } from './poolsApi.js';

const HEX32 = /^0x[0-9a-f]{64}$/;

/**
 * `sfr pool settle <poolId> <claimId>` (settlement.md#settling-exactly-once rule 5): the node submits
 * the approved claim's `settle` now, whatever its rank, and answers once it is mined; a claim already
 * settled answers its settlement and nothing is sent. The vault's refusal is the error's code, with
 * when a retry can pass.
 */
export async function settleByCli(o: {
  poolId: string;
  claimId: string;
  api: string;
  tokenFile?: string;
}): Promise<SettleResponse> {
  for (const [name, v] of [
    ['poolId', o.poolId],
    ['claimId', o.claimId],
  ] as const)
    if (!HEX32.test(v))
      throw new CliError('API_BAD_PARAMETER', `${name} must be 0x and 64 lower-case hex digits`, EXIT_USAGE);
  const token = await readApiToken(o.tokenFile);
  return (await callApi(o.api, 'POST', `/v1/pools/${o.poolId}/claims/${o.claimId}/settle`, {
    token,
    body: {},
  })) as SettleResponse;
}

/** The settlement in words: what it pays, what the rate limit holds back, whose transaction. */
export function formatSettle(r: SettleResponse): string {
  const amount = (v: string | null) => (v === null ? '(not read yet)' : inTokenUnits(v, r.asset));
  const tx =
    r.transactionHash === null
      ? 'by another node’s transaction, not read yet by this node (retry to see it)'
      : `${r.byThisNode ? 'by this node’s' : 'by another node’s'} transaction ${r.transactionHash} (block ${r.blockNumber})`;
  return `claim ${r.claimId} of pool ${r.poolId} settled: ${amount(r.amount)}\npaid ${amount(r.paid)}, held back by the rate limit ${amount(r.remaining)}\n${tx} on ${r.chain}, vault ${r.vault}\n`;
}
