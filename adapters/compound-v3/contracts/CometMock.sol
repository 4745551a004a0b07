// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test double of a Compound v3 Comet market (compound-finance/comet, CometMainInterface.sol):
/// the events are declared with exactly the real names, types, order and `indexed` flags;
/// `getReserves()` returns a settable int, so tests can drive it negative.
contract CometMock {
    event PauseAction(bool supplyPaused, bool transferPaused, bool withdrawPaused, bool absorbPaused, bool buyPaused);
    event AbsorbDebt(address indexed absorber, address indexed borrower, uint basePaidOut, uint usdValue);
    event AbsorbCollateral(
        address indexed absorber, address indexed borrower, address indexed asset, uint collateralAbsorbed, uint usdValue
    );

    uint8 internal pauseFlags;
    int internal reserves = 1_000_000e6;

    function pause(bool supplyPaused, bool transferPaused, bool withdrawPaused, bool absorbPaused, bool buyPaused)
        external
    {
        pauseFlags = (supplyPaused ? uint8(1) : 0) | (transferPaused ? uint8(2) : 0) | (withdrawPaused ? uint8(4) : 0)
            | (absorbPaused ? uint8(8) : 0) | (buyPaused ? uint8(16) : 0);
        emit PauseAction(supplyPaused, transferPaused, withdrawPaused, absorbPaused, buyPaused);
    }

    /// absorbInternal for one account: seize collateral, then report the debt the protocol absorbed.
    function absorb(address borrower, address asset, uint collateral, uint basePaidOut, uint usdValue) external {
        emit AbsorbCollateral(msg.sender, borrower, asset, collateral, usdValue);
        emit AbsorbDebt(msg.sender, borrower, basePaidOut, usdValue);
    }

    function setReserves(int value) external {
        reserves = value;
    }

    function getReserves() public view returns (int) {
        return reserves;
    }

    function isSupplyPaused() public view returns (bool) {
        return pauseFlags & 1 != 0;
    }
}
