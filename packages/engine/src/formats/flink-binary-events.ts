import type { EventBatch } from '../batch.js';

/**
 * Events as Flink's binary records (the input format FlinkBinaryParser reads): 8 bytes each, the
 * address and the type ordinal as little-endian int32, in one buffer for the whole batch.
 */
export function encodeFlinkBinaryEvents(batch: EventBatch): Buffer {
  const bytes = new ArrayBuffer(batch.count * 8);
  const view = new DataView(bytes);
  for (let i = 0; i < batch.count; i++) {
    view.setUint32(i * 8, batch.addresses[i]!, true);
    view.setUint32(i * 8 + 4, batch.types[i]!, true);
  }
  return Buffer.from(bytes);
}
