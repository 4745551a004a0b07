// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test double of a Chainlink aggregator (AggregatorInterface / AggregatorV3Interface in
/// smartcontractkit/chainlink): emits `NewRound` then `AnswerUpdated` (indexed int256 answer)
/// like an OCR aggregator, and serves latestRoundData / decimals. With decimals 0 and answers
/// 0 (up) / 1 (down) it also plays an L2 sequencer uptime feed (startedAt = status change time).
contract MockAggregator {
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);

    uint8 public decimals;
    uint80 internal round;
    int256 internal answer;
    uint256 internal startedAt;
    uint256 internal updatedAt;

    constructor(uint8 decimals_, int256 initial) {
        decimals = decimals_;
        updateAnswer(initial);
    }

    function updateAnswer(int256 value) public {
        round += 1;
        answer = value;
        startedAt = block.timestamp;
        updatedAt = block.timestamp;
        emit NewRound(round, address(0), block.timestamp);
        emit AnswerUpdated(value, round, block.timestamp);
    }

    /// Alternates between two answers (one deviating update per call).
    function flip(int256 a, int256 b) external {
        updateAnswer(answer == a ? b : a);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (round, answer, startedAt, updatedAt, round);
    }
}
