import { type ChunkRecords, chunkRecords, chunkWindow } from './chunk-records.js';
import type { Framing } from './record-format.js';

/** A chunk cut from a stream: its records, as views into the cutter's buffer. */
export interface CutChunk {
  chunk: number;
  records: ChunkRecords;
}

/**
 * Cuts a byte stream that arrives in blocks (an inflated gzip file) into exactly the chunks that
 * fileSource makes of the same bytes in a file: chunk k is cut once the stream holds its whole
 * window and one byte more (so the window does not end where the input does), or has ended. It
 * keeps at most one window (a chunk and a maximal line) plus a block.
 */
export class ChunkCutter {
  private buffer: Buffer = Buffer.alloc(0);
  /** The stream offset of buffer[0]. */
  private bufferStart = 0;
  private filled = 0;
  private nextChunk = 0;
  private ended = false;
  private readonly ready: CutChunk[] = [];

  constructor(
    private readonly framing: Framing,
    private readonly chunkBytes: number,
  ) {}

  /** Bytes of the stream so far. */
  get bytes(): number {
    return this.bufferStart + this.filled;
  }

  /** The stream has ended and every chunk has been taken. */
  get finished(): boolean {
    return this.ended && this.ready.length === 0;
  }

  /** Appends the stream's next bytes; every chunk cut so far must have been taken (its views go). */
  push(block: Uint8Array): void {
    if (this.ended) throw new Error('push after end');
    if (this.ready.length > 0) throw new Error('take every cut chunk before pushing more bytes');
    this.makeRoom(block.length);
    this.buffer.set(block, this.filled);
    this.filled += block.length;
    this.cut();
  }

  end(): void {
    this.ended = true;
    this.cut();
  }

  /** The next chunk cut, in index order; its views are valid until the next push. */
  take(): CutChunk | undefined {
    return this.ready.shift();
  }

  private cut(): void {
    const { framing, chunkBytes } = this;
    for (;;) {
      const size = this.ended ? this.bytes : Number.POSITIVE_INFINITY;
      const chunk = this.nextChunk;
      if (chunk * chunkBytes >= size) return;
      const { start, end } = chunkWindow(framing, chunk, chunkBytes, size);
      if (!this.ended && this.bytes <= end) return;
      const window = this.buffer.subarray(start - this.bufferStart, end - this.bufferStart);
      this.ready.push({ chunk, records: chunkRecords(framing, chunk, chunkBytes, size, window, start) });
      this.nextChunk++;
    }
  }

  /** Drops the bytes before the next chunk's window (views of cut chunks go) and fits `more` bytes. */
  private makeRoom(more: number): void {
    const keepFrom = chunkWindow(
      this.framing,
      this.nextChunk,
      this.chunkBytes,
      Number.POSITIVE_INFINITY,
    ).start;
    const drop = Math.min(this.filled, Math.max(0, keepFrom - this.bufferStart));
    const kept = this.filled - drop;
    if (kept + more > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(kept + more, 2 * this.buffer.length));
      this.buffer.copy(grown, 0, drop, this.filled);
      this.buffer = grown;
    } else if (drop > 0) {
      this.buffer.copyWithin(0, drop, this.filled);
    }
    this.bufferStart += drop;
    this.filled = kept;
  }
}
