import type { EventBatch } from '../batch.js';
import { formatAddress } from './ipv4.js';

export const CSV_EVENTS_HEADER = 'address,type\n';

/** Events as CSV lines `10.0.0.1,a` (the input format `CsvSource` reads). */
export function formatCsvEvents(batch: EventBatch, eventNames: readonly string[]): string {
  let out = '';
  for (let i = 0; i < batch.count; i++) {
    out += `${formatAddress(batch.addresses[i]!)},${eventNames[batch.types[i]!]}\n`;
  }
  return out;
}
