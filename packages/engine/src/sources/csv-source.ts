import type { Readable } from 'node:stream';
import { RecordStreamSource, type RecordStreamSourceOptions } from './record-stream-source.js';

export { DEFAULT_CHUNK_BYTES } from './record-stream-source.js';

export type CsvSourceOptions = Omit<RecordStreamSourceOptions, 'format'>;

/** CSV events from a byte stream: a RecordStreamSource of format csv. */
export class CsvSource extends RecordStreamSource {
  constructor(input: Readable, options: CsvSourceOptions) {
    super(input, { ...options, format: 'csv' });
  }
}
