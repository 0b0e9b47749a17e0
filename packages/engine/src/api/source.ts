import type { SequentialItem } from '../runtime/state-commands.js';
import { isParallelSource, type ParallelSource } from '../sources/parallel-source.js';
import type { RejectReason } from '../sources/reject.js';

/**
 * What the job runtime reads: columnar chunks made on the calling thread, in source order, or a
 * ParallelSource whose chunks the worker threads make themselves.
 */
export type ChunkSource = Iterable<SequentialItem> | AsyncIterable<SequentialItem> | ParallelSource;

/** What a source learns when its job starts. */
export interface SourceContext {
  /** The event alphabet: a record's type name is looked up here, its code is the index. */
  readonly eventNames: readonly string[] | undefined;
  /** Aborted when the job is stopped: a source waiting for input should end. */
  readonly signal: AbortSignal;
}

/** A source opened for one run of a job. */
export interface OpenedSource {
  chunks: ChunkSource;
  /** Records rejected so far, by reason (for sources that read on the calling thread). */
  rejects?(): Partial<Record<RejectReason, number>>;
  /** Releases what the source holds, once the job is over (whether it succeeded or not). */
  close?(): void | Promise<void>;
}

/**
 * Where a job's events come from. `open` is called once, when the job runs, with the context;
 * the built-in sources are `fromEvents`, `fromFile`, `fromStream` and `fromBatches`, and
 * `@statecraft/fsm` adds `fromGenerator` (whose context also carries the machine).
 */
export interface Source<Context extends SourceContext = SourceContext> {
  open(context: Context): OpenedSource | Promise<OpenedSource>;
}

export function isSource(value: unknown): value is Source {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { open?: unknown }).open === 'function' &&
    !isParallelSource(value)
  );
}

/** Chunks already in columnar form (or a ParallelSource) as a Source. */
export function fromBatches(chunks: ChunkSource): Source {
  return { open: () => ({ chunks }) };
}
