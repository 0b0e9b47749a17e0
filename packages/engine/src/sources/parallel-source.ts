import type { EventBatch } from '../batch.js';
import { importFactory } from '../runtime/import-factory.js';
import type { RejectedRecord, RejectReason } from './reject.js';

/**
 * A source whose chunks are produced inside the worker threads. Chunk k belongs to split
 * `k mod splits`, and a split stays on one producer (`split mod S`), so a producer sees its
 * splits' chunks in increasing order; the logical stream (chunks in index order) never depends
 * on the worker, partition or producer counts.
 */
export interface ParallelSource {
  kind: 'parallel';
  /** URL of an ES module exporting `createChunkProducer(config)`. */
  module: string;
  /** Structured-cloneable configuration for the producers. */
  config: unknown;
  /** Number of chunks in the stream. */
  chunks: number;
  /** Number of splits: chunks of one split are produced in order by one producer. */
  splits: number;
  /** Named in messages (a file path, "generator"). */
  name: string;
  /** The producers report each chunk's rejected records (takeRejected), for dead letters and --strict. */
  keepsRejected?: boolean;
}

/**
 * The rejected records of one chunk, numbered within it: `line` counts from 1 at the chunk's
 * first line (0 for records without lines); `lines` is how many lines the chunk holds, so the job
 * can number them in the whole file.
 */
export interface ChunkRejects {
  lines: number;
  records: RejectedRecord[];
}

/** Where a split stands in its stream, opaque to the engine: a checkpoint keeps it as bytes. */
export interface SplitState {
  split: number;
  state: Uint8Array;
}

/**
 * Produces the chunks of its splits, each split's in increasing index order. The returned batch
 * may be reused by the next call (the engine copies it into parts before asking for another).
 */
export interface ChunkProducer {
  produce(chunk: number): EventBatch;
  /** Rejected records so far, by reason. */
  rejects?(): Partial<Record<RejectReason, number>>;
  /**
   * The state of every split that has one, positioned before its next chunk (for checkpoints).
   * Sources whose chunks depend on nothing but their index (files) need none.
   */
  snapshot?(): SplitState[];
  /** The rejected records of the chunk produced last (sources with keepsRejected). */
  takeRejected?(): ChunkRejects;
  close?(): void;
}

/** `restored`: the states of this producer's splits from a checkpoint (empty on a fresh start). */
export type CreateChunkProducer = (
  config: unknown,
  restored: readonly SplitState[],
) => ChunkProducer | Promise<ChunkProducer>;

export function isParallelSource(source: unknown): source is ParallelSource {
  return typeof source === 'object' && source !== null && (source as { kind?: unknown }).kind === 'parallel';
}

/** The producer (0..S-1) that makes chunk `chunk`. */
export function producerOfChunk(chunk: number, splits: number, producers: number): number {
  return (chunk % splits) % producers;
}

/** The chunks producer `producer` makes from chunk `from` on, in increasing order. */
export function* chunksOfProducer(
  producer: number,
  producers: number,
  splits: number,
  chunks: number,
  from = 0,
): Generator<number> {
  for (let chunk = from; chunk < chunks; chunk++) {
    if (producerOfChunk(chunk, splits, producers) === producer) yield chunk;
  }
}

export async function loadChunkProducer(
  source: ParallelSource,
  restored: readonly SplitState[] = [],
): Promise<ChunkProducer> {
  const create = await importFactory<CreateChunkProducer>(source.module, 'createChunkProducer', 'source');
  return create(source.config, restored);
}
