// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title SFR settlement vault (spec/v1/settlement.md)
/// @notice Per-pool isolated ERC-20 escrow. Pays a claim when the claim's quorum signed the same
/// `Settlement` typed struct; every rule below is numbered as in settlement.md#vault-rules.
/// Times are unix milliseconds, as everywhere in SFR; the chain's clock is `block.timestamp * 1000`.
/// Custom errors carry the registry's reason codes (schemas/v1/registry/reason-codes/VAULT.json).
contract SfrVault is EIP712 {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- typed data (settlement.md#typed-data)

    struct Member {
        address member;
        uint64 weight;
        uint64 leavingAt; // 0: no notice given
        uint256 commitment; // in the pool asset's base units
    }

    struct Charter {
        bytes32 poolId;
        uint64 epoch;
        bytes32 charterHash; // keccak256 of the PoolCharter payload's RFC 8785 JSON
        uint64 effectiveAt;
        address asset;
        Member[] members; // strictly ascending addresses
        uint16 quorumBps;
        uint16 minMembers;
        uint16 maxMemberWeightBps;
        uint256 perClaim;
        uint256 perMemberPerPeriod;
        uint256 perPeriod;
        uint64 periodMs;
        uint256 rateMaxAmount;
        uint64 rateWindowMs;
        uint64 votingMs;
        uint64 challengeMs;
        uint64 noticePeriodMs;
    }

    struct Contribution {
        address member;
        uint256 amount;
    }

    struct Settlement {
        bytes32 poolId;
        bytes32 claimId;
        uint32 round;
        address claimant;
        address asset;
        uint256 amount;
        Contribution[] contributions; // strictly ascending members, non-zero amounts
        uint64 epoch;
        bytes32 charterHash;
        uint64 filedAt;
        uint64 decidedAt;
        uint64 deadline;
    }

    struct Sig {
        address signer;
        bytes signature; // 65-byte r||s||v for an EOA; whatever its isValidSignature accepts for a contract
    }

    bytes32 public constant MEMBER_TYPEHASH =
        keccak256("Member(address member,uint64 weight,uint64 leavingAt,uint256 commitment)");
    bytes32 public constant CHARTER_TYPEHASH = keccak256(
        "Charter(bytes32 poolId,uint64 epoch,bytes32 charterHash,uint64 effectiveAt,address asset,Member[] members,uint16 quorumBps,uint16 minMembers,uint16 maxMemberWeightBps,uint256 perClaim,uint256 perMemberPerPeriod,uint256 perPeriod,uint64 periodMs,uint256 rateMaxAmount,uint64 rateWindowMs,uint64 votingMs,uint64 challengeMs,uint64 noticePeriodMs)Member(address member,uint64 weight,uint64 leavingAt,uint256 commitment)"
    );
    bytes32 public constant CONTRIBUTION_TYPEHASH = keccak256("Contribution(address member,uint256 amount)");
    bytes32 public constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(bytes32 poolId,bytes32 claimId,uint32 round,address claimant,address asset,uint256 amount,Contribution[] contributions,uint64 epoch,bytes32 charterHash,uint64 filedAt,uint64 decidedAt,uint64 deadline)Contribution(address member,uint256 amount)"
    );

    /// @dev Basis points in one whole (pools.md: SFR never uses floats).
    uint256 private constant BPS = 10_000;
    /// @dev PoolCharter.members has at most 128 entries (schemas/v1/PoolCharter.schema.json).
    uint256 private constant MAX_MEMBERS = 128;

    // ---------------------------------------------------------------- errors (VAULT.json, POOL.json)

    error VAULT_POOL_EXISTS(bytes32 poolId);
    error VAULT_POOL_UNKNOWN(bytes32 poolId);
    /// reason: 0 members count, 1 order/duplicate, 2 weight, 3 bps, 4 quorum unreachable, 5 zero window, 6 zero asset or pool id, 7 a time out of range
    error VAULT_CHARTER_INVALID(uint8 reason);
    error VAULT_CHARTER_BAD_EPOCH(uint64 expected, uint64 got);
    error VAULT_CHARTER_NOT_SIGNED(address missing);
    error VAULT_CHARTER_NO_QUORUM(uint256 weight, uint256 total, uint256 count);
    error VAULT_CHARTER_RETROACTIVE(uint64 notBefore);
    error VAULT_NOTICE_TOO_SHORT(address member, uint64 notBefore);
    error VAULT_MEMBER_REMOVED_WITHOUT_NOTICE(address member);
    error VAULT_WRONG_ASSET(address expected);
    error VAULT_NOT_MEMBER(address account);
    error VAULT_ESCROW_INSUFFICIENT(address member, uint256 escrow, uint256 needed);
    error POOL_WITHDRAWAL_LOCKED(uint8 reason, uint64 until); // reason: 0 not_leaving, 1 notice_running, 2 claim_open
    error VAULT_CLAIM_EXISTS(bytes32 claimId);
    error VAULT_CLAIM_SETTLED(bytes32 claimId);
    error VAULT_EXPIRED(uint64 deadline);
    error VAULT_TOO_EARLY(uint64 notBefore);
    error VAULT_WRONG_EPOCH(uint64 epoch);
    error VAULT_CHARTER_MISMATCH(bytes32 expected);
    error VAULT_CLAIMANT_NOT_MEMBER(address claimant);
    error VAULT_CLAIMANT_SIGNED(address claimant);
    error VAULT_SIGNER_NOT_ELIGIBLE(address signer);
    error VAULT_DUPLICATE_SIGNER(address signer);
    error VAULT_SIGNER_EQUIVOCATED(address signer);
    error VAULT_BAD_SIGNATURE_ENCODING(address signer);
    error VAULT_BAD_SIGNATURE(address signer);
    error VAULT_QUORUM_NOT_MET(uint256 weight, uint256 total, uint256 count);
    error VAULT_OUT_OF_ORDER(uint64 lastDecidedAt, bytes32 lastClaimId);
    error VAULT_CAP_EXCEEDED(uint8 cap, uint256 room); // cap: 0 perClaim, 1 perMemberPerPeriod, 2 perPeriod, 3 capital
    error VAULT_CONTRIBUTIONS_MISMATCH(address member, uint256 expected);
    error VAULT_RATE_LIMITED(uint256 room, uint64 nextWindowAt);
    error VAULT_NOTHING_DUE(bytes32 claimId);
    error VAULT_EQUIVOCATION_INVALID(uint8 reason); // 0 not the same claim and round, 1 same digest, 2 a signature does not verify

    // ---------------------------------------------------------------- events

    event CharterRegistered(bytes32 indexed poolId, uint64 indexed epoch, bytes32 charterHash, uint64 effectiveAt);
    event Deposited(bytes32 indexed poolId, address indexed member, address from, uint256 amount);
    event Withdrawn(bytes32 indexed poolId, address indexed member, uint256 amount);
    event ClaimOpened(bytes32 indexed poolId, bytes32 indexed claimId, address indexed claimant, uint64 epoch, uint64 filedAt, uint64 holdUntil);
    event Contributed(bytes32 indexed poolId, bytes32 indexed claimId, address indexed member, uint256 amount);
    event Settled(bytes32 indexed poolId, bytes32 indexed claimId, address indexed claimant, uint256 amount, uint64 decidedAt);
    event PaidOut(bytes32 indexed poolId, bytes32 indexed claimId, address indexed claimant, uint256 amount, uint256 remaining);
    event SignerVoided(bytes32 indexed poolId, bytes32 indexed claimId, uint32 round, address indexed signer);

    // ---------------------------------------------------------------- storage

    /// @dev One member of one epoch, packed in one slot (weight ≤ 10^12 and times < 2^48 ms are checked at registration).
    struct StoredMember {
        address member;
        uint48 weight;
        uint48 leavingAt;
    }

    struct Terms {
        bytes32 charterHash;
        uint64 effectiveAt;
        uint16 quorumBps;
        uint16 minMembers;
        uint16 maxMemberWeightBps;
        uint64 periodMs;
        uint64 rateWindowMs;
        uint64 votingMs;
        uint64 challengeMs;
        uint64 noticePeriodMs;
        uint256 perClaim;
        uint256 perMemberPerPeriod;
        uint256 perPeriod;
        uint256 rateMaxAmount;
        StoredMember[] members;
        uint256[] commitments;
    }

    struct Pool {
        address asset;
        uint64 epochs; // number of registered epochs
        uint64 lastDecidedAt;
        bytes32 lastClaimId;
    }

    struct Payout {
        uint64 decidedAt;
        address claimant;
        uint256 amount;
    }

    struct Tranche {
        uint64 atMs;
        uint256 amount;
    }

    struct Claim {
        address claimant;
        uint64 epoch;
        uint64 filedAt;
        uint64 holdUntil;
        bool settled;
        uint256 unpaid; // what the claimant is still owed (rate-limited tranches)
    }

    mapping(bytes32 => Pool) private _pools;
    mapping(bytes32 => mapping(uint64 => Terms)) private _terms;
    mapping(bytes32 => mapping(address => uint256)) private _escrow;
    mapping(bytes32 => mapping(address => uint256)) private _contributed;
    mapping(bytes32 => Payout[]) private _payouts;
    mapping(bytes32 => mapping(bytes32 => Claim)) private _claims;
    mapping(bytes32 => bytes32[]) private _openClaims;
    /// what each pool paid out, in chain-time order (one entry per chain time), so that a window of any length can be summed
    mapping(bytes32 => Tranche[]) private _paidOut;
    mapping(bytes32 => mapping(bytes32 => mapping(uint32 => mapping(address => bool)))) private _voided;

    constructor() EIP712("SFR", "1") {}

    // ---------------------------------------------------------------- views

    function escrowOf(bytes32 poolId, address member) external view returns (uint256) {
        return _escrow[poolId][member];
    }

    function contributedOf(bytes32 poolId, address member) external view returns (uint256) {
        return _contributed[poolId][member];
    }

    function poolOf(bytes32 poolId) external view returns (address asset, uint64 epochs, uint64 lastDecidedAt) {
        Pool storage p = _pools[poolId];
        return (p.asset, p.epochs, p.lastDecidedAt);
    }

    function charterHashOf(bytes32 poolId, uint64 epoch) external view returns (bytes32) {
        return _terms[poolId][epoch].charterHash;
    }

    function claimOf(bytes32 poolId, bytes32 claimId)
        external
        view
        returns (address claimant, uint64 epoch, uint64 holdUntil, bool settled, uint256 unpaid)
    {
        Claim storage c = _claims[poolId][claimId];
        return (c.claimant, c.epoch, c.holdUntil, c.settled, c.unpaid);
    }

    function isVoided(bytes32 poolId, bytes32 claimId, uint32 round, address signer) external view returns (bool) {
        return _voided[poolId][claimId][round][signer];
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function hashCharter(Charter calldata c) public view returns (bytes32) {
        bytes32[] memory hs = new bytes32[](c.members.length);
        for (uint256 i; i < hs.length; ++i) {
            Member calldata m = c.members[i];
            hs[i] = keccak256(abi.encode(MEMBER_TYPEHASH, m.member, m.weight, m.leavingAt, m.commitment));
        }
        bytes memory head = abi.encode(
            CHARTER_TYPEHASH, c.poolId, c.epoch, c.charterHash, c.effectiveAt, c.asset, keccak256(abi.encodePacked(hs))
        );
        bytes memory mid = abi.encode(
            c.quorumBps, c.minMembers, c.maxMemberWeightBps, c.perClaim, c.perMemberPerPeriod, c.perPeriod, c.periodMs
        );
        bytes memory tail = abi.encode(c.rateMaxAmount, c.rateWindowMs, c.votingMs, c.challengeMs, c.noticePeriodMs);
        return _hashTypedDataV4(keccak256(bytes.concat(head, mid, tail)));
    }

    function hashSettlement(Settlement calldata s) public view returns (bytes32) {
        bytes32[] memory hs = new bytes32[](s.contributions.length);
        for (uint256 i; i < hs.length; ++i) {
            hs[i] = keccak256(abi.encode(CONTRIBUTION_TYPEHASH, s.contributions[i].member, s.contributions[i].amount));
        }
        bytes memory head = abi.encode(SETTLEMENT_TYPEHASH, s.poolId, s.claimId, s.round, s.claimant, s.asset, s.amount);
        bytes memory tail =
            abi.encode(keccak256(abi.encodePacked(hs)), s.epoch, s.charterHash, s.filedAt, s.decidedAt, s.deadline);
        return _hashTypedDataV4(keccak256(bytes.concat(head, tail)));
    }

    // ---------------------------------------------------------------- charters (settlement.md#registering-a-charter)

    function registerCharter(Charter calldata c, Sig[] calldata sigs) external {
        Pool storage pool = _pools[c.poolId];
        _checkTerms(c);
        bytes32 digest = hashCharter(c);
        if (c.epoch == 0) {
            // R1: a founding charter binds every member it lists, so every one of them signed it.
            if (pool.epochs != 0) revert VAULT_POOL_EXISTS(c.poolId);
            uint256 signed = _signedMask(c.members, sigs, digest);
            for (uint256 i; i < c.members.length; ++i) {
                if (signed & (1 << i) == 0) revert VAULT_CHARTER_NOT_SIGNED(c.members[i].member);
            }
            pool.asset = c.asset;
        } else {
            // R2: an amendment follows the last epoch, keeps the asset, is not retroactive, respects
            // notice, and is signed by a quorum of the last epoch and by every member it adds.
            if (pool.epochs == 0) revert VAULT_POOL_UNKNOWN(c.poolId);
            if (c.epoch != pool.epochs) revert VAULT_CHARTER_BAD_EPOCH(pool.epochs, c.epoch);
            if (c.asset != pool.asset) revert VAULT_WRONG_ASSET(pool.asset);
            Terms storage prev = _terms[c.poolId][c.epoch - 1];
            if (c.effectiveAt < prev.effectiveAt) revert VAULT_CHARTER_RETROACTIVE(prev.effectiveAt);
            _checkAmendment(prev, c, sigs, digest);
        }
        _store(c);
        pool.epochs = c.epoch + 1;
        emit CharterRegistered(c.poolId, c.epoch, c.charterHash, c.effectiveAt);
    }

    function _checkTerms(Charter calldata c) private pure {
        uint256 n = c.members.length;
        if (n < 2 || n > MAX_MEMBERS) revert VAULT_CHARTER_INVALID(0);
        for (uint256 i; i < n; ++i) {
            Member calldata m = c.members[i];
            if (i > 0 && m.member <= c.members[i - 1].member) revert VAULT_CHARTER_INVALID(1);
            if (m.weight == 0 || m.weight > 1e12) revert VAULT_CHARTER_INVALID(2);
            if (m.leavingAt >= 1 << 48) revert VAULT_CHARTER_INVALID(7);
        }
        if (c.maxMemberWeightBps == 0 || c.maxMemberWeightBps > BPS || c.quorumBps > BPS) {
            revert VAULT_CHARTER_INVALID(3);
        }
        if (c.minMembers > n - 1) revert VAULT_CHARTER_INVALID(4);
        if (c.periodMs == 0 || c.rateWindowMs == 0) revert VAULT_CHARTER_INVALID(5);
        if (c.asset == address(0) || c.poolId == bytes32(0)) revert VAULT_CHARTER_INVALID(6);
    }

    function _checkAmendment(Terms storage prev, Charter calldata c, Sig[] calldata sigs, bytes32 digest) private view {
        _checkAmendmentQuorum(prev, sigs, digest);
        uint256 signedNew = _signedMask(c.members, sigs, digest);
        // merge the two ascending lists: added members signed; notice rules (pools.md#leaving)
        StoredMember[] storage old = prev.members;
        uint256 i;
        uint256 j;
        while (i < old.length || j < c.members.length) {
            bool takeOld = i < old.length && (j >= c.members.length || old[i].member < c.members[j].member);
            bool takeNew = j < c.members.length && (i >= old.length || c.members[j].member < old[i].member);
            if (takeOld) {
                // dropped: only once its notice ran out
                uint64 left = old[i].leavingAt;
                if (left == 0 || left > c.effectiveAt) revert VAULT_MEMBER_REMOVED_WITHOUT_NOTICE(old[i].member);
                ++i;
            } else if (takeNew) {
                if (signedNew & (1 << j) == 0) revert VAULT_CHARTER_NOT_SIGNED(c.members[j].member);
                _checkNotice(c.members[j], 0, c.effectiveAt, prev.noticePeriodMs);
                ++j;
            } else {
                _checkNotice(c.members[j], old[i].leavingAt, c.effectiveAt, prev.noticePeriodMs);
                ++i;
                ++j;
            }
        }
    }

    /// @dev Members of the previous epoch whose capped weights meet its quorum signed (pools.md#amendments 3).
    function _checkAmendmentQuorum(Terms storage prev, Sig[] calldata sigs, bytes32 digest) private view {
        StoredMember[] storage old = prev.members;
        uint256 n = old.length;
        uint256 raw;
        for (uint256 i; i < n; ++i) raw += old[i].weight;
        uint256 cap = raw * prev.maxMemberWeightBps / BPS;
        uint256 total;
        uint256 weight;
        uint256 count;
        for (uint256 i; i < n; ++i) {
            uint256 w = old[i].weight < cap ? old[i].weight : cap;
            total += w;
            if (_hasValidSig(old[i].member, sigs, digest)) {
                weight += w;
                ++count;
            }
        }
        if (!(total > 0 && weight * BPS >= total * prev.quorumBps && count >= prev.minMembers)) {
            revert VAULT_CHARTER_NO_QUORUM(weight, total, count);
        }
    }

    function _checkNotice(Member calldata m, uint64 before, uint64 effectiveAt, uint64 noticeMs) private pure {
        if (m.leavingAt != 0 && m.leavingAt != before && m.leavingAt < effectiveAt + noticeMs) {
            revert VAULT_NOTICE_TOO_SHORT(m.member, effectiveAt + noticeMs);
        }
    }

    /// @dev Bit i set when members[i] has a valid signature among `sigs` (signers not listed are skipped).
    function _signedMask(Member[] calldata members, Sig[] calldata sigs, bytes32 digest) private view returns (uint256 mask) {
        for (uint256 k; k < sigs.length; ++k) {
            (bool found, uint256 idx) = _indexOf(members, sigs[k].signer);
            if (found && _isValid(sigs[k].signer, digest, sigs[k].signature)) mask |= 1 << idx;
        }
    }

    function _hasValidSig(address who, Sig[] calldata sigs, bytes32 digest) private view returns (bool) {
        for (uint256 k; k < sigs.length; ++k) {
            if (sigs[k].signer == who && _isValid(who, digest, sigs[k].signature)) return true;
        }
        return false;
    }

    function _indexOf(Member[] calldata members, address who) private pure returns (bool, uint256) {
        uint256 lo;
        uint256 hi = members.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            address m = members[mid].member;
            if (m == who) return (true, mid);
            if (m < who) lo = mid + 1;
            else hi = mid;
        }
        return (false, 0);
    }

    function _store(Charter calldata c) private {
        Terms storage t = _terms[c.poolId][c.epoch];
        t.charterHash = c.charterHash;
        t.effectiveAt = c.effectiveAt;
        t.quorumBps = c.quorumBps;
        t.minMembers = c.minMembers;
        t.maxMemberWeightBps = c.maxMemberWeightBps;
        t.periodMs = c.periodMs;
        t.rateWindowMs = c.rateWindowMs;
        t.votingMs = c.votingMs;
        t.challengeMs = c.challengeMs;
        t.noticePeriodMs = c.noticePeriodMs;
        t.perClaim = c.perClaim;
        t.perMemberPerPeriod = c.perMemberPerPeriod;
        t.perPeriod = c.perPeriod;
        t.rateMaxAmount = c.rateMaxAmount;
        for (uint256 i; i < c.members.length; ++i) {
            Member calldata m = c.members[i];
            t.members.push(StoredMember(m.member, uint48(m.weight), uint48(m.leavingAt)));
            t.commitments.push(m.commitment);
        }
    }

    // ---------------------------------------------------------------- escrow (settlement.md#escrow)

    /// @notice Adds `amount` of the pool's asset to `member`'s escrow in this pool only, paid by the caller.
    function deposit(bytes32 poolId, address member, uint256 amount) external {
        Pool storage pool = _pools[poolId];
        if (pool.epochs == 0) revert VAULT_POOL_UNKNOWN(poolId);
        (bool found,,) = _findMember(_terms[poolId][pool.epochs - 1].members, member);
        if (!found) revert VAULT_NOT_MEMBER(member);
        _escrow[poolId][member] += amount;
        IERC20(pool.asset).safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(poolId, member, msg.sender, amount);
    }

    /// @notice The bank-run guard (pools.md#leaving): only after the caller's notice ran out and
    /// while no claim it is liable for is held open.
    function withdraw(bytes32 poolId, uint256 amount) external {
        Pool storage pool = _pools[poolId];
        if (pool.epochs == 0) revert VAULT_POOL_UNKNOWN(poolId);
        (bool found,, uint64 leavingAt) = _findMember(_terms[poolId][pool.epochs - 1].members, msg.sender);
        uint64 nowMs = _nowMs();
        if (found && leavingAt == 0) revert POOL_WITHDRAWAL_LOCKED(0, 0);
        if (found && leavingAt > nowMs) revert POOL_WITHDRAWAL_LOCKED(1, leavingAt);
        bytes32[] storage open = _openClaims[poolId];
        for (uint256 k = open.length; k > 0; --k) {
            Claim storage c = _claims[poolId][open[k - 1]];
            if (c.holdUntil <= nowMs) {
                open[k - 1] = open[open.length - 1];
                open.pop();
                continue;
            }
            if (c.claimant == msg.sender) continue;
            (bool liable,, uint64 left) = _findMember(_terms[poolId][c.epoch].members, msg.sender);
            if (liable && (left == 0 || left > c.filedAt)) revert POOL_WITHDRAWAL_LOCKED(2, c.holdUntil);
        }
        uint256 have = _escrow[poolId][msg.sender];
        if (amount > have) revert VAULT_ESCROW_INSUFFICIENT(msg.sender, have, amount);
        _escrow[poolId][msg.sender] = have - amount;
        IERC20(pool.asset).safeTransfer(msg.sender, amount);
        emit Withdrawn(poolId, msg.sender, amount);
    }

    // ---------------------------------------------------------------- claims (settlement.md#opening-a-claim)

    /// @notice The claimant holds the pool's capital for its claim: liable members cannot withdraw
    /// until the claim is settled or its hold ends.
    function openClaim(bytes32 poolId, bytes32 claimId, uint64 epoch, uint64 filedAt) external {
        Terms storage t = _inForce(poolId, epoch, filedAt);
        (bool found,, uint64 left) = _findMember(t.members, msg.sender);
        if (!found || (left != 0 && left <= filedAt)) revert VAULT_CLAIMANT_NOT_MEMBER(msg.sender);
        if (filedAt > _nowMs()) revert VAULT_TOO_EARLY(filedAt);
        Claim storage c = _claims[poolId][claimId];
        if (c.claimant != address(0)) revert VAULT_CLAIM_EXISTS(claimId);
        // the latest a round can close (pools.md#timing: each of at most 2n events extends it by ≤ challengeMs), plus one challenge window to settle
        uint64 holdUntil = filedAt + t.votingMs + uint64(2 * t.members.length + 1) * t.challengeMs;
        c.claimant = msg.sender;
        c.epoch = epoch;
        c.filedAt = filedAt;
        c.holdUntil = holdUntil;
        _openClaims[poolId].push(claimId);
        emit ClaimOpened(poolId, claimId, msg.sender, epoch, filedAt, holdUntil);
    }

    // ---------------------------------------------------------------- equivocation (settlement.md#equivocation)

    /// @notice Two valid signatures of `signer` over different settlements of one (pool, claim,
    /// round) void that signer for the round.
    function proveEquivocation(
        Settlement calldata a,
        bytes calldata sigA,
        Settlement calldata b,
        bytes calldata sigB,
        address signer
    ) external {
        if (a.poolId != b.poolId || a.claimId != b.claimId || a.round != b.round) revert VAULT_EQUIVOCATION_INVALID(0);
        bytes32 da = hashSettlement(a);
        bytes32 db = hashSettlement(b);
        if (da == db) revert VAULT_EQUIVOCATION_INVALID(1);
        if (!_isValid(signer, da, sigA) || !_isValid(signer, db, sigB)) revert VAULT_EQUIVOCATION_INVALID(2);
        if (_claims[a.poolId][a.claimId].settled) revert VAULT_CLAIM_SETTLED(a.claimId);
        _voided[a.poolId][a.claimId][a.round][signer] = true;
        emit SignerVoided(a.poolId, a.claimId, a.round, signer);
    }

    // ---------------------------------------------------------------- settle (settlement.md#vault-rules)

    /// @dev What one pass over the snapshot's members gathers.
    struct Roll {
        address[] addr;
        bool[] eligible; // the claimant and members gone by filing are not
        uint256[] weight; // capped
        uint256[] remaining;
        uint256 total; // T
        uint256 capital; // R
    }

    function settle(Settlement calldata s, Sig[] calldata sigs) external {
        Pool storage pool = _pools[s.poolId];
        if (pool.epochs == 0) revert VAULT_POOL_UNKNOWN(s.poolId);
        uint64 nowMs = _nowMs();
        // S1 once
        Claim storage claim = _claims[s.poolId][s.claimId];
        if (claim.settled) revert VAULT_CLAIM_SETTLED(s.claimId);
        // S2 deadline
        if (nowMs > s.deadline) revert VAULT_EXPIRED(s.deadline);
        // S3 snapshot: the epoch in force at filing, its charter text, the pool's asset
        Terms storage t = _inForce(s.poolId, s.epoch, s.filedAt);
        if (s.charterHash != t.charterHash) revert VAULT_CHARTER_MISMATCH(t.charterHash);
        if (s.asset != pool.asset) revert VAULT_WRONG_ASSET(pool.asset);
        // S4 after the challenge window
        uint64 notBefore = s.filedAt + t.challengeMs;
        if (s.decidedAt > notBefore) notBefore = s.decidedAt;
        if (nowMs < notBefore) revert VAULT_TOO_EARLY(notBefore);
        // S5 decision order
        if (s.decidedAt < pool.lastDecidedAt || (s.decidedAt == pool.lastDecidedAt && s.claimId <= pool.lastClaimId && pool.lastClaimId != 0)) {
            revert VAULT_OUT_OF_ORDER(pool.lastDecidedAt, pool.lastClaimId);
        }
        Roll memory r = _roll(s.poolId, t, s.claimant, s.filedAt);
        // S6..S8 signatures and quorum
        _checkQuorum(s, sigs, t, r);
        // S9 caps
        _checkCaps(s, t);
        // S10 the pro-rata split of settlement.md#contributions, taken from escrow
        _takeContributions(s, r);
        pool.lastDecidedAt = s.decidedAt;
        pool.lastClaimId = s.claimId;
        _payouts[s.poolId].push(Payout(s.decidedAt, s.claimant, s.amount));
        if (claim.claimant == address(0)) {
            claim.claimant = s.claimant;
            claim.epoch = s.epoch;
            claim.filedAt = s.filedAt;
        }
        claim.settled = true;
        claim.holdUntil = 0;
        claim.unpaid = s.amount;
        emit Settled(s.poolId, s.claimId, s.claimant, s.amount, s.decidedAt);
        // S11 pay what the rate limit lets out now
        _release(s.poolId, s.claimId, claim, t, false);
    }

    /// @notice Pays the next tranche of a settled claim that the rate limit held back.
    function release(bytes32 poolId, bytes32 claimId) external {
        Claim storage claim = _claims[poolId][claimId];
        if (!claim.settled || claim.unpaid == 0) revert VAULT_NOTHING_DUE(claimId);
        _release(poolId, claimId, claim, _terms[poolId][claim.epoch], true);
    }

    function _release(bytes32 poolId, bytes32 claimId, Claim storage claim, Terms storage t, bool strict) private {
        // the claim's snapshot sets the window and the limit; what the pool paid is counted in chain
        // time, so epochs with different windows compose (settlement.md#rate-limit)
        uint64 windowStart = _nowMs() - (_nowMs() % t.rateWindowMs);
        uint256 used = _paidSince(poolId, windowStart);
        uint256 room = t.rateMaxAmount > used ? t.rateMaxAmount - used : 0;
        uint256 pay = claim.unpaid < room ? claim.unpaid : room;
        if (pay == 0) {
            if (strict) revert VAULT_RATE_LIMITED(room, windowStart + t.rateWindowMs);
            return;
        }
        _recordPaid(poolId, pay);
        claim.unpaid -= pay;
        IERC20(_pools[poolId].asset).safeTransfer(claim.claimant, pay);
        emit PaidOut(poolId, claimId, claim.claimant, pay, claim.unpaid);
    }

    /// what the pool paid out at chain times ≥ `fromMs` (the tranches are in chain-time order)
    function _paidSince(bytes32 poolId, uint64 fromMs) private view returns (uint256 used) {
        Tranche[] storage paid = _paidOut[poolId];
        for (uint256 i = paid.length; i > 0 && paid[i - 1].atMs >= fromMs; --i) used += paid[i - 1].amount;
    }

    function _recordPaid(bytes32 poolId, uint256 amount) private {
        Tranche[] storage paid = _paidOut[poolId];
        uint256 n = paid.length;
        uint64 nowMs = _nowMs();
        if (n > 0 && paid[n - 1].atMs == nowMs) paid[n - 1].amount += amount;
        else paid.push(Tranche(nowMs, amount));
    }

    function _roll(bytes32 poolId, Terms storage t, address claimant, uint64 filedAt) private view returns (Roll memory r) {
        StoredMember[] storage ms = t.members;
        uint256 n = ms.length;
        r.addr = new address[](n);
        r.eligible = new bool[](n);
        r.weight = new uint256[](n);
        r.remaining = new uint256[](n);
        bool claimantFound;
        uint256 raw;
        for (uint256 i; i < n; ++i) {
            StoredMember memory m = ms[i];
            r.addr[i] = m.member;
            if (m.member == claimant) {
                claimantFound = m.leavingAt == 0 || m.leavingAt > filedAt;
                continue;
            }
            if (m.leavingAt != 0 && m.leavingAt <= filedAt) continue; // not eligible
            r.eligible[i] = true;
            r.weight[i] = m.weight;
            raw += m.weight;
            uint256 committed = t.commitments[i];
            uint256 paid = _contributed[poolId][m.member];
            r.remaining[i] = committed > paid ? committed - paid : 0;
            r.capital += r.remaining[i];
        }
        if (!claimantFound) revert VAULT_CLAIMANT_NOT_MEMBER(claimant);
        uint256 cap = raw * t.maxMemberWeightBps / BPS;
        for (uint256 i; i < n; ++i) {
            if (r.weight[i] > cap) r.weight[i] = cap;
            r.total += r.weight[i];
        }
    }

    function _checkQuorum(Settlement calldata s, Sig[] calldata sigs, Terms storage t, Roll memory r) private view {
        bytes32 digest = hashSettlement(s);
        uint256 seen;
        uint256 weight;
        for (uint256 k; k < sigs.length; ++k) {
            address signer = sigs[k].signer;
            if (signer == s.claimant) revert VAULT_CLAIMANT_SIGNED(signer);
            (bool found, uint256 idx) = _indexIn(r.addr, signer);
            if (!found || !r.eligible[idx]) revert VAULT_SIGNER_NOT_ELIGIBLE(signer);
            if (seen & (1 << idx) != 0) revert VAULT_DUPLICATE_SIGNER(signer);
            seen |= 1 << idx;
            if (_voided[s.poolId][s.claimId][s.round][signer]) revert VAULT_SIGNER_EQUIVOCATED(signer);
            _verify(signer, digest, sigs[k].signature);
            weight += r.weight[idx];
        }
        if (!(r.total > 0 && weight * BPS >= r.total * t.quorumBps && sigs.length >= t.minMembers)) {
            revert VAULT_QUORUM_NOT_MET(weight, r.total, sigs.length);
        }
    }

    function _checkCaps(Settlement calldata s, Terms storage t) private view {
        if (s.amount > t.perClaim) revert VAULT_CAP_EXCEEDED(0, t.perClaim);
        uint256 pool;
        uint256 mine;
        Payout[] storage ps = _payouts[s.poolId];
        uint256 from = s.decidedAt > t.periodMs ? s.decidedAt - t.periodMs : 0;
        for (uint256 k = ps.length; k > 0; --k) {
            Payout storage p = ps[k - 1];
            if (p.decidedAt <= from) break; // payouts are recorded in decision order (S5)
            pool += p.amount;
            if (p.claimant == s.claimant) mine += p.amount;
        }
        uint256 roomMine = t.perMemberPerPeriod > mine ? t.perMemberPerPeriod - mine : 0;
        if (s.amount > roomMine) revert VAULT_CAP_EXCEEDED(1, roomMine);
        uint256 roomPool = t.perPeriod > pool ? t.perPeriod - pool : 0;
        if (s.amount > roomPool) revert VAULT_CAP_EXCEEDED(2, roomPool);
    }

    /// @dev Checks that the signed contributions are exactly splitProRata(amount, remaining) of
    /// pools.md#rounding (floor, then one more unit to the largest remainders, ties to the lower
    /// address) and moves them out of escrow.
    function _takeContributions(Settlement calldata s, Roll memory r) private {
        if (s.amount > r.capital) revert VAULT_CAP_EXCEEDED(3, r.capital);
        uint256 j;
        uint256 sum;
        uint256 nc = s.contributions.length;
        // the lowest-ranked member that got the extra unit, the highest-ranked one that did not
        uint256 worstUpRem = type(uint256).max;
        address worstUp;
        uint256 bestFlatRem;
        address bestFlat = address(type(uint160).max);
        bool anyFlat;
        for (uint256 i; i < r.addr.length; ++i) {
            address m = r.addr[i];
            uint256 share;
            if (j < nc && s.contributions[j].member == m) {
                share = s.contributions[j].amount;
                ++j;
                if (share == 0 || r.remaining[i] == 0) revert VAULT_CONTRIBUTIONS_MISMATCH(m, 0);
            }
            if (r.remaining[i] == 0) continue;
            uint256 exact = s.amount * r.remaining[i];
            uint256 floor = exact / r.capital;
            uint256 rem = exact % r.capital;
            if (share == floor + 1 && rem > 0) {
                if (rem < worstUpRem || (rem == worstUpRem && m > worstUp)) {
                    worstUpRem = rem;
                    worstUp = m;
                }
            } else if (share == floor) {
                if (!anyFlat || rem > bestFlatRem || (rem == bestFlatRem && m < bestFlat)) {
                    bestFlatRem = rem;
                    bestFlat = m;
                    anyFlat = true;
                }
            } else {
                revert VAULT_CONTRIBUTIONS_MISMATCH(m, floor);
            }
            sum += share;
        }
        if (j != nc) revert VAULT_CONTRIBUTIONS_MISMATCH(s.contributions[j].member, 0);
        if (sum != s.amount) revert VAULT_CONTRIBUTIONS_MISMATCH(address(0), s.amount);
        if (worstUp != address(0) && anyFlat) {
            if (bestFlatRem > worstUpRem || (bestFlatRem == worstUpRem && bestFlat < worstUp)) {
                revert VAULT_CONTRIBUTIONS_MISMATCH(bestFlat, bestFlatRem);
            }
        }
        for (uint256 k; k < nc; ++k) {
            Contribution calldata c = s.contributions[k];
            uint256 have = _escrow[s.poolId][c.member];
            if (have < c.amount) revert VAULT_ESCROW_INSUFFICIENT(c.member, have, c.amount);
            _escrow[s.poolId][c.member] = have - c.amount;
            _contributed[s.poolId][c.member] += c.amount;
            emit Contributed(s.poolId, s.claimId, c.member, c.amount);
        }
    }

    // ---------------------------------------------------------------- helpers

    function _nowMs() private view returns (uint64) {
        return uint64(block.timestamp) * 1000;
    }

    /// @dev The epoch's terms when it is the charter in force at `at` (pools.md#snapshot).
    function _inForce(bytes32 poolId, uint64 epoch, uint64 at) private view returns (Terms storage t) {
        Pool storage pool = _pools[poolId];
        if (pool.epochs == 0) revert VAULT_POOL_UNKNOWN(poolId);
        if (epoch >= pool.epochs) revert VAULT_WRONG_EPOCH(epoch);
        t = _terms[poolId][epoch];
        if (t.effectiveAt > at) revert VAULT_WRONG_EPOCH(epoch);
        if (epoch + 1 < pool.epochs && _terms[poolId][epoch + 1].effectiveAt <= at) revert VAULT_WRONG_EPOCH(epoch);
    }

    function _findMember(StoredMember[] storage ms, address who) private view returns (bool, uint256, uint64) {
        uint256 lo;
        uint256 hi = ms.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            StoredMember storage m = ms[mid];
            if (m.member == who) return (true, mid, m.leavingAt);
            if (m.member < who) lo = mid + 1;
            else hi = mid;
        }
        return (false, 0, 0);
    }

    function _indexIn(address[] memory addrs, address who) private pure returns (bool, uint256) {
        uint256 lo;
        uint256 hi = addrs.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (addrs[mid] == who) return (true, mid);
            if (addrs[mid] < who) lo = mid + 1;
            else hi = mid;
        }
        return (false, 0);
    }

    /// @dev An EOA: 65 bytes, v ∈ {27, 28}, low s (EIP-2), recovering to the signer; a contract: ERC-1271.
    function _verify(address signer, bytes32 digest, bytes calldata sig) private view {
        if (signer.code.length == 0) {
            if (sig.length != 65 || (uint8(sig[64]) != 27 && uint8(sig[64]) != 28)) revert VAULT_BAD_SIGNATURE_ENCODING(signer);
            (address got, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, sig);
            if (err == ECDSA.RecoverError.InvalidSignatureS) revert VAULT_BAD_SIGNATURE_ENCODING(signer);
            if (err != ECDSA.RecoverError.NoError || got != signer) revert VAULT_BAD_SIGNATURE(signer);
        } else if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, sig)) {
            revert VAULT_BAD_SIGNATURE(signer);
        }
    }

    function _isValid(address signer, bytes32 digest, bytes calldata sig) private view returns (bool) {
        if (signer.code.length == 0) {
            if (sig.length != 65 || (uint8(sig[64]) != 27 && uint8(sig[64]) != 28)) return false;
            (address got, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, sig);
            return err == ECDSA.RecoverError.NoError && got == signer;
        }
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, sig);
    }
}
