import type { Address, Client, Hex, Log } from 'viem';
import { watchContractEvent } from 'viem/actions';
import { sfrVault } from './generated/contracts.js';

/** A decoded vault event (CharterRegistered, Deposited, Withdrawn, ClaimOpened, Contributed, Settled, PaidOut, SignerVoided). */
export type VaultEvent = Log<bigint, number, false, undefined, true, typeof sfrVault.abi>;

/**
 * Calls `onEvents` with the vault's events as blocks arrive (one pool's when `poolId` is given,
 * every event has it as its first topic); returns the function that stops watching.
 */
export function watchVaultEvents(p: {
  client: Client;
  vault: Address;
  poolId?: Hex;
  onEvents: (events: VaultEvent[]) => void;
  onError?: (error: Error) => void;
  pollingInterval?: number;
}): () => void {
  return watchContractEvent(p.client, {
    address: p.vault,
    abi: sfrVault.abi,
    strict: true,
    ...(p.pollingInterval === undefined ? {} : { pollingInterval: p.pollingInterval }),
    onLogs: (logs) => {
      const events = (logs as unknown as VaultEvent[]).filter(
        (l) => p.poolId === undefined || (l.args as { poolId?: Hex }).poolId === p.poolId,
      );
      if (events.length > 0) p.onEvents(events);
    },
    ...(p.onError === undefined ? {} : { onError: p.onError }),
  });
}
