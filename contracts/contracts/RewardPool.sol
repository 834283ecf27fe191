// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title seedd reward pool (docs/protocol.md sections 8 and 9)
/// @notice Creators fund bounties for an infohash; seeders settle their signed claims, and each
/// receipt of a claim pays `floor(delta * ratePerGiB / 2^30)` tokens from one bounty, where `delta`
/// is the bytes of its channel not paid yet. A channel's bytes are paid once, whatever the claim,
/// bounty or sender.
/// @dev EIP-712 domain: name "seedd", version "1", this chain, this contract. The structs below
/// follow docs/protocol.md's type strings field by field. Solidity reserves the word `bytes`, so the
/// Receipt's fifth field is named `bytes_` here: its type (uint64) and position are the
/// protocol's, and so are every hash and the ABI encoding (names are not part of either).
contract RewardPool is EIP712, ReentrancyGuard {
    using SafeERC20 for IERC20;

    // ---- EIP-712 types (docs/protocol.md 3 and 9) -------------------------------------------
    struct Receipt {
        bytes20 infohash;
        address seeder;
        address leecher;
        uint64 channel;
        uint64 bytes_;
        uint64 timestamp;
    }

    struct Claim {
        address claimant;
        address payout;
        bytes32 receiptsRoot;
        uint64 receiptCount;
        uint64 totalBytes;
        uint256 amount;
        uint64 nonce;
        uint64 createdAt;
    }

    struct Item {
        Receipt receipt;
        bytes sig;
        bytes32[] proof;
        uint256 bountyId;
        uint64 passExp;
        bytes passSig;
    }

    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes20 infohash,address seeder,address leecher,uint64 channel,uint64 bytes,uint64 timestamp)"
    );
    bytes32 public constant CLAIM_TYPEHASH = keccak256(
        "Claim(address claimant,address payout,bytes32 receiptsRoot,uint64 receiptCount,uint64 totalBytes,uint256 amount,uint64 nonce,uint64 createdAt)"
    );
    bytes32 public constant PASS_TYPEHASH = keccak256("Pass(bytes20 infohash,address leecher,uint64 expiresAt)");

    // ---- Reason codes of ItemSkipped (docs/protocol.md 8) -----------------------------------
    uint8 public constant SKIP_PROOF = 1;
    uint8 public constant SKIP_PARTIES = 2;
    uint8 public constant SKIP_SIGNATURE = 3;
    uint8 public constant SKIP_BOUNTY = 4;
    uint8 public constant SKIP_PASS = 5;
    uint8 public constant SKIP_NOTHING_NEW = 6;
    uint8 public constant SKIP_EXHAUSTED = 7;

    // ---- State ------------------------------------------------------------------------------
    struct Bounty {
        // Laid out for settle(): an item reads the first four slots, never `funder`.
        bytes20 infohash;
        uint64 expiresAt; // never 0 for a bounty that exists (fund: > block.timestamp)
        address passSigner; // 0: open bounty
        uint64 maxBytesPerLeecher; // 0: no cap
        uint256 balance;
        uint256 ratePerGiB;
        address funder;
    }

    IERC20 private immutable _token;
    uint256 private _lastBountyId;
    mapping(uint256 => Bounty) private _bounties;

    /// @notice Bytes already paid on a channel, by `channelKey(leecher, seeder, infohash, channel)`.
    mapping(bytes32 => uint64) public paidBytes;
    /// @notice Bytes a bounty has paid for one leecher. Kept only for bounties with a cap
    /// (`maxBytesPerLeecher` != 0): the cap is fixed at funding, and an uncapped bounty needs no count.
    mapping(uint256 => mapping(address => uint64)) public leecherPaidBytes;

    // ---- Events -----------------------------------------------------------------------------
    event BountyFunded(
        uint256 indexed bountyId,
        bytes20 indexed infohash,
        address indexed funder,
        uint256 amount,
        uint256 ratePerGiB,
        uint64 maxBytesPerLeecher,
        address passSigner,
        uint64 expiresAt
    );
    event Settled(
        address indexed claimant,
        uint64 indexed nonce,
        address payout,
        uint256 paid,
        uint64 bytesPaid,
        uint32 itemsPaid,
        uint32 itemsSkipped
    );
    event ItemSkipped(address indexed claimant, uint64 indexed nonce, uint32 index, uint8 reason);
    /// @notice Not in docs/protocol.md 8's list; emitted so that a reader of logs can follow balances.
    event BountyToppedUp(uint256 indexed bountyId, address indexed from, uint256 amount);
    event BountyWithdrawn(uint256 indexed bountyId, address indexed funder, uint256 amount);

    // ---- Errors -----------------------------------------------------------------------------
    error ZeroToken();
    error BadClaimSignature();
    error ZeroRate();
    error RateTooHigh();
    error AlreadyExpired();
    error NoSuchBounty(uint256 bountyId);
    error NotFunder();
    error NotExpired();
    error TooManyItems();

    constructor(address token_) EIP712("seedd", "1") {
        if (token_ == address(0)) revert ZeroToken();
        _token = IERC20(token_);
    }

    /// @notice The ERC-20 every bounty of this pool pays in.
    function token() external view returns (address) {
        return address(_token);
    }

    // ---- Bounties ---------------------------------------------------------------------------

    /// @notice Funds a bounty for `infohash`: takes `amount` with `transferFrom` (approve first).
    /// The bounty is credited with what the pool actually received.
    function fund(
        bytes20 infohash,
        uint256 amount,
        uint256 ratePerGiB,
        uint64 maxBytesPerLeecher,
        address passSigner,
        uint64 expiresAt
    ) external nonReentrant returns (uint256 bountyId) {
        if (ratePerGiB == 0) revert ZeroRate();
        // Keeps delta (< 2^64) * rate inside 256 bits.
        if (ratePerGiB > type(uint192).max) revert RateTooHigh();
        if (expiresAt <= block.timestamp) revert AlreadyExpired();
        uint256 received = _pull(amount);
        bountyId = ++_lastBountyId;
        _bounties[bountyId] = Bounty({
            funder: msg.sender,
            expiresAt: expiresAt,
            infohash: infohash,
            maxBytesPerLeecher: maxBytesPerLeecher,
            passSigner: passSigner,
            balance: received,
            ratePerGiB: ratePerGiB
        });
        emit BountyFunded(bountyId, infohash, msg.sender, received, ratePerGiB, maxBytesPerLeecher, passSigner, expiresAt);
    }

    /// @notice Adds `amount` to a bounty that has not expired (anyone may).
    function topUp(uint256 bountyId, uint256 amount) external nonReentrant {
        Bounty storage b = _bounties[bountyId];
        if (b.funder == address(0)) revert NoSuchBounty(bountyId);
        if (block.timestamp > b.expiresAt) revert AlreadyExpired();
        uint256 received = _pull(amount);
        b.balance += received;
        emit BountyToppedUp(bountyId, msg.sender, received);
    }

    /// @notice The funder takes back what is left, once the bounty has expired.
    function withdraw(uint256 bountyId) external nonReentrant {
        Bounty storage b = _bounties[bountyId];
        if (b.funder == address(0)) revert NoSuchBounty(bountyId);
        if (msg.sender != b.funder) revert NotFunder();
        if (block.timestamp <= b.expiresAt) revert NotExpired();
        uint256 rest = b.balance;
        b.balance = 0;
        if (rest != 0) _token.safeTransfer(msg.sender, rest);
        emit BountyWithdrawn(bountyId, msg.sender, rest);
    }

    function bounty(uint256 bountyId)
        external
        view
        returns (
            address funder,
            bytes20 infohash,
            uint256 balance,
            uint256 ratePerGiB,
            uint64 maxBytesPerLeecher,
            address passSigner,
            uint64 expiresAt
        )
    {
        Bounty storage b = _bounties[bountyId];
        return (b.funder, b.infohash, b.balance, b.ratePerGiB, b.maxBytesPerLeecher, b.passSigner, b.expiresAt);
    }

    /// @notice The highest bounty id so far (ids start at 1).
    function lastBountyId() external view returns (uint256) {
        return _lastBountyId;
    }

    // ---- Settlement -------------------------------------------------------------------------

    /// @notice Pays the items of a signed claim by the rules of docs/protocol.md 8 and transfers the sum
    /// to `claim.payout` once. Items that fail a rule are skipped with their reason code; a bad
    /// claim signature reverts. Any subset of a claim's items may be sent, in any number of calls.
    function settle(Claim calldata claim, bytes calldata claimSig, Item[] calldata items)
        external
        nonReentrant
        returns (uint256 paid)
    {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(claimDigest(claim), claimSig);
        if (err != ECDSA.RecoverError.NoError || signer != claim.claimant) revert BadClaimSignature();
        if (items.length > type(uint32).max) revert TooManyItems();

        uint256 bytesPaid;
        uint32 itemsPaid;
        uint32 itemsSkipped;
        for (uint256 i = 0; i < items.length; ++i) {
            (uint8 reason, uint256 amount, uint64 delta) = _settleItem(claim, items[i]);
            if (reason != 0) {
                unchecked {
                    ++itemsSkipped;
                }
                emit ItemSkipped(claim.claimant, claim.nonce, uint32(i), reason);
            } else {
                unchecked {
                    ++itemsPaid;
                    bytesPaid += delta; // < items.length * 2^64: no overflow
                }
                paid += amount;
            }
        }
        if (paid != 0) _token.safeTransfer(claim.payout, paid);
        emit Settled(
            claim.claimant,
            claim.nonce,
            claim.payout,
            paid,
            bytesPaid > type(uint64).max ? type(uint64).max : uint64(bytesPaid),
            itemsPaid,
            itemsSkipped
        );
    }

    /// @dev One item: returns (0, amount, delta) when paid, else (reason, 0, 0). Storage is
    /// written only for a paid item.
    function _settleItem(Claim calldata claim, Item calldata item)
        private
        returns (uint8 reason, uint256 amount, uint64 delta)
    {
        Receipt calldata r = item.receipt;
        bytes32 digest = receiptDigest(r);
        // 1. the receipt is one of the claim's
        if (!MerkleProof.verifyCalldata(item.proof, claim.receiptsRoot, digest)) return (SKIP_PROOF, 0, 0);
        // 2. parties (each field read from calldata once: a read checks its value's width)
        address leecher = r.leecher;
        address seeder = r.seeder;
        uint64 channel = r.channel;
        if (seeder != claim.claimant || leecher == seeder || channel == 0) return (SKIP_PARTIES, 0, 0);
        // 3. the leecher signed it
        if (!_signedBy(digest, item.sig, leecher)) return (SKIP_SIGNATURE, 0, 0);
        // 4. the bounty
        uint256 bountyId = item.bountyId;
        Bounty storage b = _bounties[bountyId];
        bytes20 infohash = r.infohash;
        uint64 timestamp = r.timestamp;
        if (b.expiresAt == 0 || b.infohash != infohash || timestamp > b.expiresAt) return (SKIP_BOUNTY, 0, 0);
        // 5. the pass, where the bounty asks for one
        address passSigner = b.passSigner;
        if (passSigner != address(0)) {
            uint64 passExp = item.passExp;
            if (timestamp > passExp) return (SKIP_PASS, 0, 0);
            if (!_signedBy(passDigest(infohash, leecher, passExp), item.passSig, passSigner)) return (SKIP_PASS, 0, 0);
        }
        return _pay(b, leecherPaidBytes[bountyId], channelKey(leecher, seeder, infohash, channel), leecher, r.bytes_);
    }

    /// @dev Rules 6 and 7 and the bookkeeping of a paid item: `leecherPaid` is the bounty's
    /// count per leecher, `ck` the channel's key, `total` the receipt's bytes.
    function _pay(
        Bounty storage b,
        mapping(address => uint64) storage leecherPaid,
        bytes32 ck,
        address leecher,
        uint64 total
    ) private returns (uint8 reason, uint256 amount, uint64 delta) {
        // 6. bytes not paid yet on the channel
        uint64 before = paidBytes[ck];
        if (total <= before) return (SKIP_NOTHING_NEW, 0, 0);
        // 7. delta cut to the leecher's cap, then to the balance
        uint256 balance = b.balance;
        if (balance == 0) return (SKIP_EXHAUSTED, 0, 0);
        unchecked {
            delta = total - before; // total > before
        }
        uint64 cap = b.maxBytesPerLeecher;
        uint64 done;
        if (cap != 0) {
            done = leecherPaid[leecher];
            if (done >= cap) return (SKIP_EXHAUSTED, 0, 0);
            unchecked {
                if (delta > cap - done) delta = cap - done; // cap > done
            }
        }
        uint256 rate = b.ratePerGiB;
        amount = (uint256(delta) * rate) >> 30; // rate < 2^192 (fund): no overflow
        if (amount > balance) {
            // The bytes that the balance still pays for (fewer than delta), and their amount (<= balance).
            delta = uint64(Math.mulDiv(balance, 1 << 30, rate));
            if (delta == 0) return (SKIP_EXHAUSTED, 0, 0);
            amount = (uint256(delta) * rate) >> 30;
        }
        unchecked {
            // before + delta <= total, done + delta <= cap, amount <= balance
            paidBytes[ck] = before + delta;
            if (cap != 0) leecherPaid[leecher] = done + delta;
            b.balance = balance - amount;
        }
        return (0, amount, delta);
    }

    /// @dev Valid (65 bytes, low s, v 27/28: OpenZeppelin's ECDSA) and recovers `who`.
    function _signedBy(bytes32 digest, bytes calldata sig, address who) private pure returns (bool) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, sig);
        return err == ECDSA.RecoverError.NoError && signer == who;
    }

    function _pull(uint256 amount) private returns (uint256) {
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        return _token.balanceOf(address(this)) - before;
    }

    // ---- Views for clients (digests in this pool's domain) ----------------------------------

    /// @notice The key of `paidBytes` for a channel: keccak256(abi.encode(leecher, seeder, infohash, channel)).
    function channelKey(address leecher, address seeder, bytes20 infohash, uint64 channel)
        public
        pure
        returns (bytes32)
    {
        bytes32 key;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, leecher)
            mstore(add(m, 0x20), seeder)
            mstore(add(m, 0x40), infohash)
            mstore(add(m, 0x60), channel)
            key := keccak256(m, 0x80)
        }
        return key;
    }

    function receiptDigest(Receipt calldata r) public view returns (bytes32) {
        // hashStruct: the type hash and the receipt's six words as they are in calldata (a word
        // with dirty bits hashes differently, so it can never match a digest that was signed).
        bytes32 typeHash = RECEIPT_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), r, 0xc0)
            structHash := keccak256(m, 0xe0)
        }
        return _hashTypedDataV4(structHash);
    }

    function claimDigest(Claim calldata c) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CLAIM_TYPEHASH,
                    c.claimant,
                    c.payout,
                    c.receiptsRoot,
                    c.receiptCount,
                    c.totalBytes,
                    c.amount,
                    c.nonce,
                    c.createdAt
                )
            )
        );
    }

    function passDigest(bytes20 infohash, address leecher, uint64 expiresAt) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PASS_TYPEHASH, infohash, leecher, expiresAt)));
    }

    /// @notice The EIP-712 domain separator (also given by EIP-5267's `eip712Domain()`).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
