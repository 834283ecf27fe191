// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice For tests only: an ERC-20 whose transfer out of the pool calls back into the pool with
/// calldata the test chose (a second settle, a withdraw...). The call's outcome is recorded and
/// the transfer goes on, so the test sees both what the outer call paid and how the re-entry ended.
contract ReentrantToken is ERC20 {
    address public pool;
    bytes public reentryCall;
    bool public armed;
    bool public reentryAttempted;
    bool public reentrySucceeded;
    bytes public reentryError;

    constructor() ERC20("re-entering token", "REENT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address pool_, bytes calldata call_) external {
        pool = pool_;
        reentryCall = call_;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from == pool) {
            armed = false; // once
            reentryAttempted = true;
            (bool ok, bytes memory ret) = pool.call(reentryCall);
            reentrySucceeded = ok;
            reentryError = ret;
        }
    }
}
