import type { EscrowResponse } from '@sfr/schemas/types';
import { parseUnits } from 'viem';
import { CliError, EXIT_USAGE } from './cliError.js';
import { fetchPool, inTokenUnits } from './poolLedger.js';
import { callApi, readApiToken } from './poolsApi.js';

/** A token amount as typed: digits with at most one decimal point (no sign, no exponent). */
const TOKEN_AMOUNT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** The route of each action (api.md#routes). */
const ROUTE = { deposit: 'deposits', withdraw: 'withdrawals' } as const;

/**
 * `sfr pool deposit | withdraw <poolId> <amount>` (settlement.md#escrow-from-the-node): the amount in
 * token units of the pool asset, converted with the decimals the node read from its ERC-20; the node
 * sends the transaction from its sending account and answers once it is mined.
 */
export async function moveEscrowByCli(o: {
  action: 'deposit' | 'withdraw';
  poolId: string;
  amount: string;
  api: string;
  tokenFile?: string;
  idempotencyKey?: string;
}): Promise<EscrowResponse> {
  if (!TOKEN_AMOUNT.test(o.amount))
    throw new CliError(
      'API_BAD_PARAMETER',
      `amount must be in token units, like 250 or 250.5, not ${o.amount.slice(0, 40)}`,
      EXIT_USAGE,
    );
  const view = await fetchPool(o.api, o.poolId);
  const asset = view.onChain?.asset ?? null;
  if (asset === null)
    throw new CliError(
      'VAULT_NOT_FOLLOWED',
      view.onChain === undefined
        ? 'the node follows no vault for this pool (its charter settles on no chain the node has an RPC for)'
        : 'the node has not read the pool asset from its ERC-20 yet; retry shortly',
    );
  const fraction = o.amount.split('.')[1] ?? '';
  if (fraction.length > asset.decimals)
    throw new CliError(
      'API_BAD_PARAMETER',
      `amount has more than the ${asset.decimals} decimals of ${asset.symbol}`,
      EXIT_USAGE,
    );
  const base = parseUnits(o.amount, asset.decimals);
  if (base < 1n) throw new CliError('API_BAD_PARAMETER', 'amount must be more than 0', EXIT_USAGE);
  const token = await readApiToken(o.tokenFile);
  return (await callApi(o.api, 'POST', `/v1/pools/${o.poolId}/${ROUTE[o.action]}`, {
    token,
    body: {
      amount: base.toString(),
      ...(o.idempotencyKey === undefined ? {} : { idempotencyKey: o.idempotencyKey }),
    },
  })) as EscrowResponse;
}

/** One line: what moved, in token units with the symbol, and the transaction. */
export function formatEscrow(r: EscrowResponse): string {
  const amount = inTokenUnits(r.amount, r.asset);
  const verb = r.action === 'deposit' ? `deposited ${amount} into` : `withdrew ${amount} from`;
  return `${verb} the escrow of ${r.member} in pool ${r.poolId}\ntransaction ${r.transactionHash} (block ${r.blockNumber}) on ${r.chain}, vault ${r.vault}${r.approvalHash === undefined ? '' : `\napproval    ${r.approvalHash}`}\n`;
}
