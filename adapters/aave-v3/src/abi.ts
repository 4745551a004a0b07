import { parseAbi } from 'viem';

/** PoolConfigurator events (IPoolConfigurator.sol, aave-v3-origin v3.3–v3.7). */
export const poolConfiguratorAbi = parseAbi([
  'event ReservePaused(address indexed asset, bool paused)',
  'event ReserveFrozen(address indexed asset, bool frozen)',
]);

/** Pool events and views (IPool.sol); logs come from the Pool proxy. */
export const poolAbi = parseAbi([
  'event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated)',
  'event DeficitCovered(address indexed reserve, address caller, uint256 amountCovered)',
  'event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)',
  'function getReserveDeficit(address asset) view returns (uint256)',
]);

/** Umbrella events (aave-umbrella IUmbrella.sol). */
export const umbrellaAbi = parseAbi([
  'event StakeTokenSlashed(address indexed reserve, address indexed umbrellaStake, uint256 amount, uint256 fee)',
]);
