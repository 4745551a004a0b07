// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The gas baseline of `npm run bench`: the same signatures `SfrVault.settle` checks,
/// recovered by a bare `ecrecover` loop over a given digest and compared with their signers.
contract EcrecoverLoop {
    uint256 public checked;

    function check(bytes32 digest, address[] calldata signers, bytes[] calldata sigs) external {
        for (uint256 i; i < sigs.length; ++i) {
            bytes calldata sig = sigs[i];
            bytes32 r = bytes32(sig[0:32]);
            bytes32 s = bytes32(sig[32:64]);
            uint8 v = uint8(sig[64]);
            require(ecrecover(digest, v, r, s) == signers[i], "bad signature");
        }
        checked += sigs.length;
    }
}
