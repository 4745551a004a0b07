// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

interface IAggregatorV3 {
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
    function decimals() external view returns (uint8);
}

/// Test double of a Chainlink EACAggregatorProxy (smartcontractkit/chainlink): the feed address a
/// charter names, answering `aggregator()` with the aggregator that emits `AnswerUpdated`, and
/// forwarding its views.
contract MockFeedProxy {
    address public aggregator;

    constructor(address aggregator_) {
        aggregator = aggregator_;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return IAggregatorV3(aggregator).latestRoundData();
    }

    function decimals() external view returns (uint8) {
        return IAggregatorV3(aggregator).decimals();
    }
}
