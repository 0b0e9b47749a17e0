import { isFedSource, type ParallelSource } from '../sources/parallel-source.js';

/** A chunk to produce, with its input when the source feeds one. */
export interface ChunkInput {
  chunk: number;
  input?: unknown;
}

/** A parallel source's chunks from `from` on, in index order, as one thread produces them all. */
export interface ChunkInputs {
  /** The next chunk, or undefined after the last; call again only once it settled. */
  next(): Promise<ChunkInput | undefined>;
  close(): void;
}

export function openChunkInputs(source: ParallelSource, from: number): ChunkInputs {
  if (isFedSource(source)) {
    const feed = source.feed(from);
    return { next: () => feed.next(), close: () => feed.close() };
  }
  let chunk = from;
  return {
    next: async () => (chunk < source.chunks ? { chunk: chunk++ } : undefined),
    close: () => undefined,
  };
}
