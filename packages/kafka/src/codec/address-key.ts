/**
 * Record keys are the event's address as 4 bytes, big-endian: the layout of Kafka's own
 * IntegerSerializer, so the default (murmur2) partitioner puts an address on the same partition
 * whichever client writes it, and every event of an address lands in one partition.
 */
export const ADDRESS_KEY_BYTES = 4;

/** The keys of addresses[0, count), as one buffer; key i is bytes [4i, 4i + 4). */
export function encodeAddressKeys(addresses: Uint32Array, count: number): Buffer {
  const keys = Buffer.allocUnsafe(count * ADDRESS_KEY_BYTES);
  for (let i = 0; i < count; i++) keys.writeUInt32BE(addresses[i]!, i * ADDRESS_KEY_BYTES);
  return keys;
}

/** The address of a record key written by encodeAddressKeys, or -1 when it is not 4 bytes. */
export function decodeAddressKey(key: Uint8Array | null): number {
  if (key === null || key.length !== ADDRESS_KEY_BYTES) return -1;
  return ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
}
