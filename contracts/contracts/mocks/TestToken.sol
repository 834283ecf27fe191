// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice For tests and local chains only: anyone may mint.
contract TestToken is ERC20 {
    constructor() ERC20("seedd test token", "SEEDT") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
