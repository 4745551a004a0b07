import { parseAbi } from 'viem';

/** BorrowerOperations (liquity/bold contracts/src/BorrowerOperations.sol). */
export const borrowerOperationsAbi = parseAbi([
  'event ShutDown(uint256 _tcr)',
  'function hasBeenShutDown() view returns (bool)',
]);

/** PriceFeed (PriceFeeds/MainnetPriceFeedBase.sol, CompositePriceFeed.sol). */
export const priceFeedAbi = parseAbi(['event ShutDownFromOracleFailure(address _failedOracleAddr)']);

/** TroveManager (Interfaces/ITroveEvents.sol): amounts and prices are 1e18. */
export const troveManagerAbi = parseAbi([
  'event Liquidation(uint256 _debtOffsetBySP, uint256 _debtRedistributed, uint256 _boldGasCompensation, uint256 _collGasCompensation, uint256 _collSentToSP, uint256 _collRedistributed, uint256 _collSurplus, uint256 _L_ETH, uint256 _L_boldDebt, uint256 _price)',
]);
