import { createReadStream, type ReadStream } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { describeFsError } from '../fs-errors.js';
import { ChunkCutter, type CutChunk } from './chunk-cutter.js';
import type { ChunkRecords } from './chunk-records.js';
import { MAX_REJECT_BYTES } from './line-parser.js';
import type { ChunkFeed, FedChunk } from './parallel-source.js';
import type { Framing } from './record-format.js';

const READ_BYTES = 1 << 20;
/**
 * zlib inflates up to this much per turn on its libuv thread: about a chunk, so that inflating the
 * next chunk overlaps parsing this one when both share the main thread (--workers 0).
 */
const INFLATED_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Inflates a gzip file (on a libuv thread) and cuts it into chunks, one `next()` at a time: while
 * nobody asks, the streams' buffers fill and reading stops, so memory stays bounded. Chunks before
 * `from` are inflated and cut but not handed out.
 */
export class GzipFeed implements ChunkFeed {
  private readonly file: ReadStream;
  private readonly gunzip: Gunzip;
  private readonly blocks: AsyncIterator<Buffer>;
  private readonly cutter: ChunkCutter;

  constructor(
    private readonly path: string,
    framing: Framing,
    chunkBytes: number,
    private readonly from: number,
  ) {
    this.cutter = new ChunkCutter(framing, chunkBytes);
    this.file = createReadStream(path, { highWaterMark: READ_BYTES });
    this.gunzip = createGunzip({ chunkSize: INFLATED_BLOCK_BYTES });
    this.file.on('error', (error) => this.gunzip.destroy(error));
    this.blocks = this.file.pipe(this.gunzip)[Symbol.asyncIterator]();
  }

  async next(): Promise<FedChunk | undefined> {
    for (;;) {
      const cut = this.cutter.take();
      if (cut !== undefined) {
        if (cut.chunk >= this.from) return fedChunk(cut);
        continue;
      }
      if (this.cutter.finished) return undefined;
      let block: IteratorResult<Buffer>;
      try {
        block = await this.blocks.next();
      } catch (error) {
        throw new InputError(`cannot read ${this.path}: ${describeFsError(error)}`, error);
      }
      if (block.done === true) this.cutter.end();
      else this.cutter.push(block.value);
    }
  }

  close(): void {
    this.gunzip.destroy();
    this.file.destroy();
  }
}

/** A chunk's records in a buffer of their own, to transfer to the producer's thread. */
function fedChunk({ chunk, records }: CutChunk): FedChunk {
  const { bytes, readStart, first, last, overlong } = records;
  // An over-long last record: the producer rejects it with its first bytes.
  const end = overlong ? Math.min(bytes.length, last + MAX_REJECT_BYTES) : last;
  const copy = Buffer.allocUnsafeSlow(end - first);
  copy.set(bytes.subarray(first, end));
  const input: ChunkRecords = {
    bytes: copy,
    readStart: readStart + first,
    first: 0,
    last: last - first,
    overlong,
  };
  return { chunk, input, transfer: [copy.buffer as ArrayBuffer] };
}
