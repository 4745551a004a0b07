import { parseAbi } from 'viem';

/**
 * GMX v2 EventEmitter (gmx-io/gmx-synthetics contracts/event/EventEmitter.sol) with the
 * EventLogData struct of contracts/event/EventUtils.sol.
 */
export const eventEmitterAbi = parseAbi([
  'struct AddressKeyValue { string key; address value; }',
  'struct AddressArrayKeyValue { string key; address[] value; }',
  'struct AddressItems { AddressKeyValue[] items; AddressArrayKeyValue[] arrayItems; }',
  'struct UintKeyValue { string key; uint256 value; }',
  'struct UintArrayKeyValue { string key; uint256[] value; }',
  'struct UintItems { UintKeyValue[] items; UintArrayKeyValue[] arrayItems; }',
  'struct IntKeyValue { string key; int256 value; }',
  'struct IntArrayKeyValue { string key; int256[] value; }',
  'struct IntItems { IntKeyValue[] items; IntArrayKeyValue[] arrayItems; }',
  'struct BoolKeyValue { string key; bool value; }',
  'struct BoolArrayKeyValue { string key; bool[] value; }',
  'struct BoolItems { BoolKeyValue[] items; BoolArrayKeyValue[] arrayItems; }',
  'struct Bytes32KeyValue { string key; bytes32 value; }',
  'struct Bytes32ArrayKeyValue { string key; bytes32[] value; }',
  'struct Bytes32Items { Bytes32KeyValue[] items; Bytes32ArrayKeyValue[] arrayItems; }',
  'struct BytesKeyValue { string key; bytes value; }',
  'struct BytesArrayKeyValue { string key; bytes[] value; }',
  'struct BytesItems { BytesKeyValue[] items; BytesArrayKeyValue[] arrayItems; }',
  'struct StringKeyValue { string key; string value; }',
  'struct StringArrayKeyValue { string key; string[] value; }',
  'struct StringItems { StringKeyValue[] items; StringArrayKeyValue[] arrayItems; }',
  'struct EventLogData { AddressItems addressItems; UintItems uintItems; IntItems intItems; BoolItems boolItems; Bytes32Items bytes32Items; BytesItems bytesItems; StringItems stringItems; }',
  'event EventLog(address msgSender, string eventName, string indexed eventNameHash, EventLogData eventData)',
  'event EventLog1(address msgSender, string eventName, string indexed eventNameHash, bytes32 indexed topic1, EventLogData eventData)',
  'event EventLog2(address msgSender, string eventName, string indexed eventNameHash, bytes32 indexed topic1, bytes32 indexed topic2, EventLogData eventData)',
]);

/** DataStore view (contracts/data/DataStore.sol). */
export const dataStoreAbi = parseAbi(['function getBool(bytes32 key) view returns (bool)']);

/** GMX FLOAT_PRECISION: USD values and factors are scaled 1e30 (contracts/utils/Precision.sol). */
export const gmxUsdDecimals = 30;

/** `SecondaryOrderType.Adl` (contracts/order/Order.sol: enum SecondaryOrderType { None, Adl }). */
export const secondaryOrderTypeAdl = 1n;

/** DataStore base keys = keccak256(abi.encode("NAME")) (reference table §10; contracts/data/Keys.sol). */
export const baseKeys = {
  IS_MARKET_DISABLED: '0x5c27e8a9fa01145fb01eb80b81db2eab7e57bc33d109d6a64315239a65ce4d36',
  CREATE_ORDER_FEATURE_DISABLED: '0xdf83d07880c6c9da5b08e099b2210859db7182f98d9293f12e8552c7674ccbe6',
  EXECUTE_ORDER_FEATURE_DISABLED: '0xfeecf7f710a5550b87d68f152c61d5fa51b623a46b6f640b617fdce98319659f',
  EXECUTE_ADL_FEATURE_DISABLED: '0x7ec36cfdc8138f81d335ee44288c2014b983372ac8bb7fc7ed3021b0b842bdf6',
  CREATE_DEPOSIT_FEATURE_DISABLED: '0xc5cacb613df586e878c919ccc5ad563c4f845cc648c1578c456592840135cfdf',
  CREATE_WITHDRAWAL_FEATURE_DISABLED: '0xe22e21c60f32cfb79020e8dbf3211f7a678325f5d7195c979268c4db4a4a6fa1',
  EXECUTE_WITHDRAWAL_FEATURE_DISABLED: '0xa5d5ec2aef29f70d602db4f2b395018c1a19c7f69e551e9943277b57770f0dd0',
} as const;
