// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test doubles for Aave v3 (aave-dao/aave-v3-origin v3.3–v3.7) and Umbrella (bgd-labs/aave-umbrella).
/// Events are declared with exactly the real names, types, order and `indexed` flags
/// (IPoolConfigurator.sol, IPool.sol, IUmbrella.sol); the logic is reduced to what tests need.

contract MockPoolConfigurator {
    event ReservePaused(address indexed asset, bool paused);
    event ReserveFrozen(address indexed asset, bool frozen);

    address[] internal reserves;

    constructor(address[] memory reservesList) {
        reserves = reservesList;
    }

    function setReservePause(address asset, bool paused) public {
        emit ReservePaused(asset, paused);
    }

    /// Like PoolConfigurator.setPoolPause: one ReservePaused per reserve, in one transaction.
    function setPoolPause(bool paused) external {
        for (uint256 i = 0; i < reserves.length; i++) {
            setReservePause(reserves[i], paused);
        }
    }

    function setReserveFreeze(address asset, bool freeze) external {
        emit ReserveFrozen(asset, freeze);
    }
}

contract MockPool {
    event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated);
    event DeficitCovered(address indexed reserve, address caller, uint256 amountCovered);
    event LiquidationCall(
        address indexed collateralAsset,
        address indexed debtAsset,
        address indexed user,
        uint256 debtToCover,
        uint256 liquidatedCollateralAmount,
        address liquidator,
        bool receiveAToken
    );

    mapping(address => uint256) internal deficits;

    /// A liquidation that leaves the borrower with no collateral and `deficit` debt.
    function liquidateToDeficit(address collateral, address debtAsset, address user, uint256 debtToCover, uint256 deficit)
        external
    {
        emit LiquidationCall(collateral, debtAsset, user, debtToCover, 1, msg.sender, false);
        deficits[debtAsset] += deficit;
        emit DeficitCreated(user, debtAsset, deficit);
    }

    function eliminateReserveDeficit(address asset, uint256 amount) external {
        deficits[asset] -= amount;
        emit DeficitCovered(asset, msg.sender, amount);
    }

    function getReserveDeficit(address asset) external view returns (uint256) {
        return deficits[asset];
    }
}

contract MockUmbrella {
    event StakeTokenSlashed(address indexed reserve, address indexed umbrellaStake, uint256 amount, uint256 fee);

    MockPool internal pool;

    constructor(MockPool pool_) {
        pool = pool_;
    }

    /// Umbrella.slash: covers the deficit through Pool.eliminateReserveDeficit, then reports the slash.
    function slash(address reserve, address stake, uint256 amount, uint256 fee) external {
        pool.eliminateReserveDeficit(reserve, amount);
        emit StakeTokenSlashed(reserve, stake, amount, fee);
    }
}
