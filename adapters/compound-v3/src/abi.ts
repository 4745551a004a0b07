import { parseAbi } from 'viem';

/** Comet events and views (compound-finance/comet contracts/CometMainInterface.sol, Comet.sol). */
export const cometAbi = parseAbi([
  'event PauseAction(bool supplyPaused, bool transferPaused, bool withdrawPaused, bool absorbPaused, bool buyPaused)',
  'event AbsorbDebt(address indexed absorber, address indexed borrower, uint256 basePaidOut, uint256 usdValue)',
  'event AbsorbCollateral(address indexed absorber, address indexed borrower, address indexed asset, uint256 collateralAbsorbed, uint256 usdValue)',
  'function getReserves() view returns (int256)',
  'function isSupplyPaused() view returns (bool)',
]);

/** Comet PRICE_SCALE: USD values in AbsorbDebt / AbsorbCollateral are scaled 1e8 (CometCore PRICE_FEED_DECIMALS = 8). */
export const cometUsdDecimals = 8;
