import { parseAbi } from 'viem';

/** Chainlink aggregator events (AggregatorInterface.sol), AggregatorV3Interface views and the proxy's `aggregator()`. */
export const aggregatorAbi = parseAbi([
  'event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)',
  'event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function decimals() view returns (uint8)',
  'function aggregator() view returns (address)',
]);
