import type { PartitionSplit } from './partition-split.js';

/** What the sinks and the committer need to know about a chunk the source handed to the engine. */
export interface ChunkEntry {
  split: PartitionSplit;
  /** offsets[i] is the Kafka offset of the chunk's event i. */
  offsets: Float64Array;
  /** The split's position once the chunk is written. */
  nextOffset: number;
}

/**
 * Chunks handed to the engine and not yet written, by chunk index (the engine numbers the
 * chunks of a source 0, 1, 2, ... in the order it reads them).
 */
export class ChunkLedger {
  private readonly entries = new Map<number, ChunkEntry>();
  private nextChunk = 0;

  /** Records the next chunk; returns its index. */
  add(entry: ChunkEntry): number {
    const chunk = this.nextChunk++;
    this.entries.set(chunk, entry);
    return chunk;
  }

  get(chunk: number): ChunkEntry {
    const entry = this.entries.get(chunk);
    if (entry === undefined) throw new Error(`chunk ${chunk} is not in the ledger`);
    return entry;
  }

  /** Removes and returns a written chunk's entry. */
  take(chunk: number): ChunkEntry {
    const entry = this.get(chunk);
    this.entries.delete(chunk);
    return entry;
  }

  /** The index of the last chunk added; -1 before the first. */
  get last(): number {
    return this.nextChunk - 1;
  }

  get size(): number {
    return this.entries.size;
  }
}
