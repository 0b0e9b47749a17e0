import type { Writable } from 'node:stream';
import type { EventBatch } from '../batch.js';
import { EventEncoder } from '../formats/event-encoder.js';
import type { InputFormat } from '../sources/record-format.js';
import { StreamWriter } from './stream-writer.js';

export interface EventsWriterOptions {
  /** Start a CSV file with its header line `address,type` (default true; other formats have none). */
  csvHeader?: boolean;
  /** Bytes per buffer (default 1 MiB; at least one event must fit). */
  bufferBytes?: number;
  /** Buffers in the ring: one being filled, the others being written (default 4, at least 2). */
  buffers?: number;
}

const DEFAULT_BUFFER_BYTES = 1 << 20;
const DEFAULT_BUFFERS = 4;

/**
 * Writes event batches to a stream in an input format (CSV, NDJSON, flink-binary): each batch is
 * encoded as bytes straight into a ring of preallocated buffers, and a full buffer goes to the
 * stream whole while the next one fills, so making events and writing them overlap (a file
 * stream writes on a libuv thread). A buffer is refilled only once the stream is done with it,
 * which bounds memory at `buffers × bufferBytes` whatever the stream's speed.
 */
export class EventsWriter {
  private readonly writer: StreamWriter;
  private readonly encoder: EventEncoder;
  private readonly buffers: Buffer[];
  /** The stream's promise for each buffer while it still holds it. */
  private readonly inFlight: (Promise<void> | undefined)[];
  private current = 0;
  private position = 0;
  private eventCount = 0;

  constructor(
    stream: Writable,
    name: string,
    format: InputFormat,
    eventNames: readonly string[],
    options: EventsWriterOptions = {},
  ) {
    this.writer = new StreamWriter(stream, name);
    this.encoder = new EventEncoder(format, eventNames);
    const bufferBytes = Math.max(
      options.bufferBytes ?? DEFAULT_BUFFER_BYTES,
      this.encoder.maxEventBytes,
      this.encoder.header.length,
    );
    const count = Math.max(2, options.buffers ?? DEFAULT_BUFFERS);
    this.buffers = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(bufferBytes));
    this.inFlight = new Array(count).fill(undefined);
    if (options.csvHeader ?? true) {
      this.buffers[0]!.set(this.encoder.header);
      this.position = this.encoder.header.length;
    }
  }

  /** Events written (encoded) so far. */
  get events(): number {
    return this.eventCount;
  }

  /** Encodes the batch; waits only when every buffer is full and still being written. */
  async write(batch: EventBatch): Promise<void> {
    let from = 0;
    for (;;) {
      from = this.encoder.encode(batch, from, this.buffers[this.current]!, this.position);
      this.position = this.encoder.end;
      if (from === batch.count) break;
      await this.flush();
    }
    this.eventCount += batch.count;
  }

  /** Writes what is buffered and waits until the stream has it all; with `end`, ends the stream. */
  async finish(end: boolean): Promise<void> {
    if (this.position > 0) await this.flush();
    for (const pending of this.inFlight) await pending;
    await this.writer.finish(end);
  }

  /** Hands the current buffer to the stream and moves to the next, once the stream is done with it. */
  private async flush(): Promise<void> {
    const buffer = this.buffers[this.current]!;
    this.inFlight[this.current] = this.writer.submit(buffer.subarray(0, this.position));
    this.current = (this.current + 1) % this.buffers.length;
    this.position = 0;
    const pending = this.inFlight[this.current];
    if (pending !== undefined) {
      await pending;
      this.inFlight[this.current] = undefined;
    }
  }
}
