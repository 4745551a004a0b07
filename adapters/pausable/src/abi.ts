import { parseAbi } from 'viem';

/** OpenZeppelin Pausable (contracts/utils/Pausable.sol): `account` is not indexed. */
export const pausableAbi = parseAbi([
  'event Paused(address account)',
  'event Unpaused(address account)',
  'function paused() view returns (bool)',
]);
