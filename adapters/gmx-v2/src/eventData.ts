/** One group of EventLogData (`{items, arrayItems}` of `{key, value}`). */
interface Group {
  items: readonly { key: string; value: unknown }[];
  arrayItems: readonly { key: string; value: readonly unknown[] }[];
}

export type EventLogData = Record<
  'addressItems' | 'uintItems' | 'intItems' | 'boolItems' | 'bytes32Items' | 'bytesItems' | 'stringItems',
  Group
>;

/** Reads an EventLogData item by key (GMX positions change between releases; keys do not). */
export function getItem<T>(data: EventLogData, group: keyof EventLogData, key: string): T | undefined {
  return data[group]?.items.find((i) => i.key === key)?.value as T | undefined;
}
