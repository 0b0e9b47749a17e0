import type { EventBatch } from '../batch.js';
import { formatAddress } from './ipv4.js';

/** Events as NDJSON lines `{"address":"10.0.0.1","type":"a"}` (the input format NdjsonParser reads). */
export function formatNdjsonEvents(batch: EventBatch, eventNames: readonly string[]): string {
  const types = eventNames.map((name) => JSON.stringify(name));
  let out = '';
  for (let i = 0; i < batch.count; i++) {
    out += `{"address":"${formatAddress(batch.addresses[i]!)}","type":${types[batch.types[i]!]}}\n`;
  }
  return out;
}
