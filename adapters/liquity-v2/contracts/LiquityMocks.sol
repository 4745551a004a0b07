// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test doubles for one Liquity v2 (BOLD) branch (liquity/bold contracts/src): events declared with
/// exactly the real names, types and order (BorrowerOperations.sol, MainnetPriceFeedBase.sol,
/// Interfaces/ITroveEvents.sol); logic reduced to emitting them.

contract BorrowerOperationsMock {
    event ShutDown(uint256 _tcr);

    bool public hasBeenShutDown;

    function shutdown(uint256 tcr) external {
        hasBeenShutDown = true;
        emit ShutDown(tcr);
    }

    function shutdownFromOracleFailure() external {
        hasBeenShutDown = true;
    }
}

contract PriceFeedMock {
    event ShutDownFromOracleFailure(address _failedOracleAddr);

    BorrowerOperationsMock internal borrowerOperations;

    constructor(BorrowerOperationsMock bo) {
        borrowerOperations = bo;
    }

    /// A Chainlink response failed the staleness / validity check: switch to lastGoodPrice and shut down.
    function failOracle(address oracle) external {
        emit ShutDownFromOracleFailure(oracle);
        borrowerOperations.shutdownFromOracleFailure();
    }
}

contract TroveManagerMock {
    event Liquidation(
        uint256 _debtOffsetBySP,
        uint256 _debtRedistributed,
        uint256 _boldGasCompensation,
        uint256 _collGasCompensation,
        uint256 _collSentToSP,
        uint256 _collRedistributed,
        uint256 _collSurplus,
        uint256 _L_ETH,
        uint256 _L_boldDebt,
        uint256 _price
    );

    function liquidate(uint256 debtOffsetBySP, uint256 debtRedistributed, uint256 collSentToSP, uint256 collRedistributed, uint256 price)
        external
    {
        emit Liquidation(debtOffsetBySP, debtRedistributed, 200e18, 1e15, collSentToSP, collRedistributed, 0, 1e18, 1e18, price);
    }
}
