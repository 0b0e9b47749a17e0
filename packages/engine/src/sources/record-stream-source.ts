import type { Readable } from 'node:stream';
import type { EventBatch } from '../batch.js';
import { BadRecordError, InputError, StatecraftError } from '../errors.js';
import { NEWLINE } from './ascii.js';
import { EventLookup } from './event-lookup.js';
import { recordFormat } from './input-formats.js';
import { MAX_LINE_BYTES, MAX_REJECT_BYTES } from './line-parser.js';
import type { InputFormat, RecordFormat, RecordParser } from './record-format.js';
import { copyOfBytes, REJECT_DESCRIPTIONS, type RejectedRecord, RejectLedger } from './reject.js';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface RecordStreamSourceOptions {
  /** The input format (default csv). */
  format?: InputFormat;
  /** The machine's event names; a record's type must be one of them. */
  eventNames: readonly string[];
  /** Bytes per chunk (each chunk becomes one batch). Default 4 MiB. */
  chunkBytes?: number;
  /** Called for each rejected record, in input order. */
  onReject?: (record: RejectedRecord) => void;
  /** Named in error messages (the file path, or "stdin"). */
  name?: string;
  /** Stop at the first bad record with a BadRecordError instead of skipping it. */
  strict?: boolean;
  /**
   * Aborting stops reading at once, even while the input has nothing to give (an idle pipe): the
   * stream is destroyed, complete records already read are still yielded, and the source ends.
   */
  signal?: AbortSignal;
}

/**
 * Events of any input format from a byte stream (a file, stdin, an inflated gzip stream), as
 * chunks of about `chunkBytes` cut at record boundaries. Memory stays bounded by the chunk size
 * whatever the input: a line longer than MAX_LINE_BYTES is rejected without being buffered whole.
 */
export class RecordStreamSource implements AsyncIterable<EventBatch> {
  readonly rejects: RejectLedger;
  private readonly format: RecordFormat;
  private readonly parser: RecordParser;
  private readonly chunkBytes: number;
  private bytesRead = 0;
  private offset = 0;
  private skippingLongLine = false;

  constructor(
    private readonly input: Readable,
    private readonly options: RecordStreamSourceOptions,
  ) {
    const name = options.name ?? 'input';
    this.format = recordFormat(options.format ?? 'csv');
    this.rejects = new RejectLedger((record) => {
      if (options.strict) {
        throw new BadRecordError(name, record.line, record.offset, REJECT_DESCRIPTIONS[record.reason]);
      }
      options.onReject?.(record);
    }, this.format.rejectReasons);
    this.parser = this.format.createParser(new EventLookup(options.eventNames), this.rejects);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  get lines(): number {
    return this.parser.lines;
  }

  get bytes(): number {
    return this.bytesRead;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EventBatch> {
    const { signal } = this.options;
    const stop = () => this.input.destroy();
    if (signal?.aborted) return;
    signal?.addEventListener('abort', stop, { once: true });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    try {
      for await (const block of this.input as AsyncIterable<Buffer>) {
        this.bytesRead += block.length;
        pending.push(block);
        pendingBytes += block.length;
        // A full chunk, or all the input has for now (a live pipe): records should not wait.
        if (pendingBytes < this.chunkBytes && this.input.readableLength > 0) continue;
        const { batch, carry } = this.consume(Buffer.concat(pending, pendingBytes), false);
        pending = carry.length > 0 ? [Buffer.from(carry)] : [];
        pendingBytes = carry.length;
        if (batch !== undefined && batch.count > 0) yield batch;
      }
    } catch (error) {
      if (signal?.aborted) return;
      if (error instanceof StatecraftError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new InputError(`cannot read ${this.options.name ?? 'input'}: ${reason}`, error);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    if (signal?.aborted) return;
    if (pendingBytes > 0) {
      const { batch } = this.consume(Buffer.concat(pending, pendingBytes), true);
      if (batch !== undefined && batch.count > 0) yield batch;
    }
  }

  /** Parses the complete records of `bytes`; returns the batch and the incomplete tail to carry. */
  private consume(bytes: Buffer, final: boolean): { batch: EventBatch | undefined; carry: Buffer } {
    if (this.skippingLongLine) {
      const newline = bytes.indexOf(NEWLINE);
      if (newline === -1) {
        this.offset += bytes.length;
        return { batch: undefined, carry: EMPTY };
      }
      this.skippingLongLine = false;
      this.parser.skipLine();
      this.offset += newline + 1;
      bytes = bytes.subarray(newline + 1);
    }
    const { batch, consumed } = this.parseBlock(bytes, final, this.offset);
    this.offset += consumed;
    const carry = bytes.subarray(consumed);
    // +1: a line of exactly MAX_LINE_BYTES may still be waiting for its \n after a \r.
    if (this.format.framing.kind !== 'lines' || carry.length <= MAX_LINE_BYTES + 1) return { batch, carry };
    this.rejectLongLine(carry, this.offset);
    this.offset += carry.length;
    this.skippingLongLine = true;
    return { batch, carry: EMPTY };
  }

  private parseBlock(bytes: Uint8Array, final: boolean, offset: number) {
    const capacity = this.format.maxEventsIn(bytes.length);
    const batch: EventBatch = {
      count: 0,
      addresses: new Uint32Array(capacity),
      types: new Uint8Array(capacity),
    };
    const consumed = this.parser.parse(bytes, bytes.length, final, batch, offset);
    return { batch, consumed };
  }

  private rejectLongLine(bytes: Uint8Array, offset: number): void {
    this.rejects.reject({
      line: this.parser.lines + 1,
      offset,
      reason: 'line-too-long',
      raw: copyOfBytes(bytes, 0, Math.min(bytes.length, MAX_REJECT_BYTES)),
    });
  }
}
