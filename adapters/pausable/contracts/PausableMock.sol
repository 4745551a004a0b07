// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test double of an OpenZeppelin Pausable contract: emits exactly
/// `event Paused(address account)` / `event Unpaused(address account)` (account NOT indexed,
/// as in openzeppelin-contracts utils/Pausable.sol) and serves `paused()`.
/// Unlike OpenZeppelin it allows pausing twice, so tests can repeat an incident.
contract PausableMock {
    event Paused(address account);
    event Unpaused(address account);

    bool public paused;

    function pause() external {
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external {
        paused = false;
        emit Unpaused(msg.sender);
    }
}
