// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Test double of GMX v2's EventEmitter (gmx-io/gmx-synthetics contracts/event/EventEmitter.sol,
/// EventUtils.sol): EventLog / EventLog1 / EventLog2 with exactly the real shapes and the
/// EventLogData struct of 7 groups. Only the data items the tests need are filled; the rest stay empty.
contract EventEmitterMock {
    struct AddressKeyValue { string key; address value; }
    struct AddressArrayKeyValue { string key; address[] value; }
    struct AddressItems { AddressKeyValue[] items; AddressArrayKeyValue[] arrayItems; }
    struct UintKeyValue { string key; uint256 value; }
    struct UintArrayKeyValue { string key; uint256[] value; }
    struct UintItems { UintKeyValue[] items; UintArrayKeyValue[] arrayItems; }
    struct IntKeyValue { string key; int256 value; }
    struct IntArrayKeyValue { string key; int256[] value; }
    struct IntItems { IntKeyValue[] items; IntArrayKeyValue[] arrayItems; }
    struct BoolKeyValue { string key; bool value; }
    struct BoolArrayKeyValue { string key; bool[] value; }
    struct BoolItems { BoolKeyValue[] items; BoolArrayKeyValue[] arrayItems; }
    struct Bytes32KeyValue { string key; bytes32 value; }
    struct Bytes32ArrayKeyValue { string key; bytes32[] value; }
    struct Bytes32Items { Bytes32KeyValue[] items; Bytes32ArrayKeyValue[] arrayItems; }
    struct BytesKeyValue { string key; bytes value; }
    struct BytesArrayKeyValue { string key; bytes[] value; }
    struct BytesItems { BytesKeyValue[] items; BytesArrayKeyValue[] arrayItems; }
    struct StringKeyValue { string key; string value; }
    struct StringArrayKeyValue { string key; string[] value; }
    struct StringItems { StringKeyValue[] items; StringArrayKeyValue[] arrayItems; }
    struct EventLogData {
        AddressItems addressItems;
        UintItems uintItems;
        IntItems intItems;
        BoolItems boolItems;
        Bytes32Items bytes32Items;
        BytesItems bytesItems;
        StringItems stringItems;
    }

    event EventLog(address msgSender, string eventName, string indexed eventNameHash, EventLogData eventData);
    event EventLog1(
        address msgSender, string eventName, string indexed eventNameHash, bytes32 indexed topic1, EventLogData eventData
    );
    event EventLog2(
        address msgSender,
        string eventName,
        string indexed eventNameHash,
        bytes32 indexed topic1,
        bytes32 indexed topic2,
        EventLogData eventData
    );

    function emitAdlStateUpdated(address market, bool isLong, int256 pnlToPoolFactor, uint256 maxPnlFactor, bool shouldEnableAdl)
        external
    {
        EventLogData memory d;
        d.intItems.items = new IntKeyValue[](1);
        d.intItems.items[0] = IntKeyValue("pnlToPoolFactor", pnlToPoolFactor);
        d.uintItems.items = new UintKeyValue[](1);
        d.uintItems.items[0] = UintKeyValue("maxPnlFactor", maxPnlFactor);
        d.boolItems.items = new BoolKeyValue[](2);
        d.boolItems.items[0] = BoolKeyValue("isLong", isLong);
        d.boolItems.items[1] = BoolKeyValue("shouldEnableAdl", shouldEnableAdl);
        emit EventLog1(msg.sender, "AdlStateUpdated", "AdlStateUpdated", bytes32(uint256(uint160(market))), d);
    }

    /// An order execution: PositionDecrease (EventLog1, topic1 = account) then OrderExecuted
    /// (EventLog2, topic1 = order key, topic2 = account), as DecreaseOrderUtils / OrderEventUtils do.
    function emitDecreaseExecuted(
        bytes32 orderKey,
        address account,
        address market,
        address collateralToken,
        bool isLong,
        uint256 sizeDeltaUsd,
        uint256 sizeDeltaInTokens,
        uint256 secondaryOrderType
    ) external {
        EventLogData memory p;
        p.addressItems.items = new AddressKeyValue[](3);
        p.addressItems.items[0] = AddressKeyValue("account", account);
        p.addressItems.items[1] = AddressKeyValue("market", market);
        p.addressItems.items[2] = AddressKeyValue("collateralToken", collateralToken);
        p.uintItems.items = new UintKeyValue[](3);
        p.uintItems.items[0] = UintKeyValue("sizeDeltaUsd", sizeDeltaUsd);
        p.uintItems.items[1] = UintKeyValue("sizeDeltaInTokens", sizeDeltaInTokens);
        p.uintItems.items[2] = UintKeyValue("orderType", 4);
        p.intItems.items = new IntKeyValue[](1);
        p.intItems.items[0] = IntKeyValue("basePnlUsd", -1);
        p.boolItems.items = new BoolKeyValue[](1);
        p.boolItems.items[0] = BoolKeyValue("isLong", isLong);
        p.bytes32Items.items = new Bytes32KeyValue[](2);
        p.bytes32Items.items[0] = Bytes32KeyValue("orderKey", orderKey);
        p.bytes32Items.items[1] = Bytes32KeyValue("positionKey", keccak256(abi.encode(account, market, collateralToken, isLong)));
        emit EventLog1(msg.sender, "PositionDecrease", "PositionDecrease", bytes32(uint256(uint160(account))), p);

        EventLogData memory o;
        o.bytes32Items.items = new Bytes32KeyValue[](1);
        o.bytes32Items.items[0] = Bytes32KeyValue("key", orderKey);
        o.addressItems.items = new AddressKeyValue[](1);
        o.addressItems.items[0] = AddressKeyValue("account", account);
        o.uintItems.items = new UintKeyValue[](1);
        o.uintItems.items[0] = UintKeyValue("secondaryOrderType", secondaryOrderType);
        emit EventLog2(msg.sender, "OrderExecuted", "OrderExecuted", orderKey, bytes32(uint256(uint160(account))), o);
    }

    function emitInsolventClose(
        bytes32 orderKey,
        uint256 positionCollateralAmount,
        uint256 remainingCostUsd,
        int256 basePnlUsd,
        string calldata step
    ) external {
        EventLogData memory d;
        d.bytes32Items.items = new Bytes32KeyValue[](1);
        d.bytes32Items.items[0] = Bytes32KeyValue("orderKey", orderKey);
        d.uintItems.items = new UintKeyValue[](2);
        d.uintItems.items[0] = UintKeyValue("positionCollateralAmount", positionCollateralAmount);
        d.uintItems.items[1] = UintKeyValue("remainingCostUsd", remainingCostUsd);
        d.intItems.items = new IntKeyValue[](1);
        d.intItems.items[0] = IntKeyValue("basePnlUsd", basePnlUsd);
        d.stringItems.items = new StringKeyValue[](1);
        d.stringItems.items[0] = StringKeyValue("step", step);
        emit EventLog(msg.sender, "InsolventClose", "InsolventClose", d);
    }

    /// PositionEventUtils.emitInsufficientFundingFeePayment: EventLog1, topic1 = market.
    function emitInsufficientFundingFeePayment(
        address market,
        address token,
        uint256 expectedAmount,
        uint256 amountPaidInCollateralToken,
        uint256 amountPaidInSecondaryOutputToken
    ) external {
        EventLogData memory d;
        d.addressItems.items = new AddressKeyValue[](2);
        d.addressItems.items[0] = AddressKeyValue("market", market);
        d.addressItems.items[1] = AddressKeyValue("token", token);
        d.uintItems.items = new UintKeyValue[](3);
        d.uintItems.items[0] = UintKeyValue("expectedAmount", expectedAmount);
        d.uintItems.items[1] = UintKeyValue("amountPaidInCollateralToken", amountPaidInCollateralToken);
        d.uintItems.items[2] = UintKeyValue("amountPaidInSecondaryOutputToken", amountPaidInSecondaryOutputToken);
        emit EventLog1(
            msg.sender, "InsufficientFundingFeePayment", "InsufficientFundingFeePayment", bytes32(uint256(uint160(market))), d
        );
    }

    /// Config.setBool: EventLog1 "SetBool", topic1 = baseKey.
    function emitSetBool(bytes32 baseKey, bytes calldata data, bool value) external {
        EventLogData memory d;
        d.bytes32Items.items = new Bytes32KeyValue[](1);
        d.bytes32Items.items[0] = Bytes32KeyValue("baseKey", baseKey);
        d.bytesItems.items = new BytesKeyValue[](1);
        d.bytesItems.items[0] = BytesKeyValue("data", data);
        d.boolItems.items = new BoolKeyValue[](1);
        d.boolItems.items[0] = BoolKeyValue("value", value);
        emit EventLog1(msg.sender, "SetBool", "SetBool", baseKey, d);
    }
}

/// DataStore.getBool (contracts/data/DataStore.sol), settable for tests.
contract DataStoreMock {
    mapping(bytes32 => bool) public boolValues;

    function setBool(bytes32 key, bool value) external {
        boolValues[key] = value;
    }

    function getBool(bytes32 key) external view returns (bool) {
        return boolValues[key];
    }
}
