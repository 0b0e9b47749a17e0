import type { EventBatch } from '../batch.js';
import { importFactory } from '../runtime/import-factory.js';
import type { RejectedRecord, RejectReason } from './reject.js';

interface ParallelSourceBase {
  kind: 'parallel';
  /** URL of an ES module exporting `createChunkProducer(config)`. */
  module: string;
  /** Structured-cloneable configuration for the producers. */
  config: unknown;
  /** Named in messages (a file path, "generator"). */
  name: string;
  /** The producers report each chunk's rejected records (takeRejected), for dead letters and --strict. */
  keepsRejected?: boolean;
}

/**
 * A source whose chunks are produced inside the worker threads from their index alone. Chunk k
 * belongs to split `k mod splits`, and a split stays on one producer (`split mod S`), so a producer
 * sees its splits' chunks in increasing order; the logical stream (chunks in index order) never
 * depends on the worker, partition or producer counts.
 */
export interface IndexedSource extends ParallelSourceBase {
  /** Number of chunks in the stream. */
  chunks: number;
  /** Number of splits: chunks of one split are produced in order by one producer. */
  splits: number;
  /**
   * Events in every chunk but the last, for a source that knows it (the generator): a count
   * checkpoint interval then falls on exact chunk boundaries; otherwise the job estimates them.
   */
  chunkEvents?: number | undefined;
  feed?: undefined;
}

/**
 * A source whose chunks' input is read in order on the calling thread (a gzip file, which can only
 * be inflated from its start) and handed to the producers, which parse it in the worker threads:
 * chunk k goes to producer `k mod S`. How many chunks there are is known when the feed ends.
 */
export interface FedSource extends ParallelSourceBase {
  /** Opens the chunks' inputs in index order from chunk `from` on (a resume skips the ones before). */
  feed(from: number): ChunkFeed;
  chunks?: undefined;
  splits?: undefined;
  chunkEvents?: undefined;
}

/** A source whose chunks are parsed or generated inside the worker threads. */
export type ParallelSource = IndexedSource | FedSource;

/** One chunk's input for its producer: structured-cloneable, with the buffers to transfer. */
export interface FedChunk {
  chunk: number;
  input: unknown;
  transfer: ArrayBuffer[];
}

/**
 * The inputs of a FedSource's chunks, in index order. `next` is called again only after the
 * previous call settled, and only when the job has room for another chunk: the reader waits (and
 * with it the input) while chunks are not consumed. Rejects with a StatecraftError naming the input.
 */
export interface ChunkFeed {
  /** The next chunk's input, or undefined after the last chunk. */
  next(): Promise<FedChunk | undefined>;
  /** Stops reading (whether the feed ended or not). */
  close(): void;
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
  /** `input`: the chunk's FedChunk input, for a FedSource (undefined for an IndexedSource). */
  produce(chunk: number, input?: unknown): EventBatch;
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

export function isFedSource(source: ParallelSource): source is FedSource {
  return typeof source.feed === 'function';
}

/** The producer (0..S-1) that parses chunk `chunk` of a FedSource. */
export function producerOfFedChunk(chunk: number, producers: number): number {
  return chunk % producers;
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
  source: Pick<ParallelSource, 'module' | 'config'>,
  restored: readonly SplitState[] = [],
): Promise<ChunkProducer> {
  const create = await importFactory<CreateChunkProducer>(source.module, 'createChunkProducer', 'source');
  return create(source.config, restored);
}
