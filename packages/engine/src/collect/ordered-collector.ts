import type { OutputColumns } from '../batch.js';
import { SinkError, StatecraftError } from '../errors.js';
import type { OutputSink } from '../sinks/sink.js';
import type { ChunkRejects } from '../sources/parallel-source.js';
import { mergeByPosition } from './merge.js';

interface PendingChunk {
  partsLeft: number;
  outputs: OutputColumns[];
  events: number;
  rejected?: ChunkRejects;
  submittedAt: number;
}

export interface CollectorOptions {
  /** Where the run starts (a checkpoint's chunk). */
  firstChunk?: number;
  /** Runs right after each chunk is written, before the next one's write begins. */
  onWritten?: (chunksWritten: number) => void;
  /** Gets each chunk's rejected records just before its outputs are written; may throw to stop. */
  onRejected?: (rejects: ChunkRejects) => void;
}

/**
 * Gathers each chunk's outputs from the workers it was split across, merges them back into source
 * order, and writes chunks to the sink strictly in chunk-index order, one write at a time.
 */
export class OrderedCollector {
  private readonly pending = new Map<number, PendingChunk>();
  private nextToWrite: number;
  private writing: Promise<void> | undefined;
  private failure: unknown;
  private outputs = 0;
  private events = 0;
  private stopped = false;
  readonly latenciesMs: number[] = [];

  constructor(
    private readonly sink: OutputSink,
    private readonly onProgress: () => void,
    private readonly options: CollectorOptions = {},
  ) {
    this.nextToWrite = options.firstChunk ?? 0;
  }

  /** Chunks registered but not yet written to the sink. */
  get backlog(): number {
    return this.pending.size;
  }

  /** Chunks written so far: the index of the next chunk to write. */
  get chunksWritten(): number {
    return this.nextToWrite;
  }

  /** Outputs written in this run. */
  get written(): number {
    return this.outputs;
  }

  /** Events of the chunks written in this run (as given to expect and deliver). */
  get eventsWritten(): number {
    return this.events;
  }

  /** The sink's failure, as a SinkError (or the StatecraftError onRejected threw), once a write has failed. */
  get error(): StatecraftError | undefined {
    if (this.failure === undefined || this.failure instanceof StatecraftError) return this.failure;
    const reason = this.failure instanceof Error ? this.failure.message : String(this.failure);
    return new SinkError(reason, this.failure);
  }

  expect(chunk: number, parts: number, events = 0): void {
    this.pending.set(chunk, { partsLeft: parts, outputs: [], events, submittedAt: performance.now() });
    if (parts === 0) this.pump();
  }

  deliver(chunk: number, columns: OutputColumns, events = 0): void {
    const entry = this.pending.get(chunk);
    if (entry === undefined) return;
    entry.events += events;
    if (columns.count > 0) entry.outputs.push(columns);
    entry.partsLeft--;
    if (chunk === this.nextToWrite && entry.partsLeft === 0) this.pump();
  }

  /** A chunk's rejected records: one of its expected parts (for sources that keep them). */
  deliverRejected(chunk: number, rejected: ChunkRejects): void {
    const entry = this.pending.get(chunk);
    if (entry === undefined) return;
    entry.rejected = rejected;
    entry.partsLeft--;
    if (chunk === this.nextToWrite && entry.partsLeft === 0) this.pump();
  }

  /**
   * Writes nothing more and resolves once a write in progress has finished: after a failed
   * attempt, so that none of its outputs reach the sink after the job rewinds it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.writing;
  }

  private pump(): void {
    if (this.writing !== undefined || this.failure !== undefined || this.stopped) return;
    this.writing = this.writeReady().finally(() => {
      this.writing = undefined;
      if (this.nextIsReady()) this.pump();
      this.onProgress();
    });
  }

  private nextIsReady(): boolean {
    return this.failure === undefined && this.pending.get(this.nextToWrite)?.partsLeft === 0;
  }

  private async writeReady(): Promise<void> {
    for (;;) {
      const entry = this.pending.get(this.nextToWrite);
      if (this.stopped || entry === undefined || entry.partsLeft > 0) return;
      const chunk = this.nextToWrite;
      const merged = mergeByPosition(entry.outputs);
      try {
        if (entry.rejected !== undefined) this.options.onRejected?.(entry.rejected);
        if (merged.count > 0) await this.sink.write(chunk, merged);
        this.sink.chunkWritten?.(chunk);
      } catch (error) {
        this.failure = error;
        return;
      }
      this.outputs += merged.count;
      this.events += entry.events;
      this.latenciesMs.push(performance.now() - entry.submittedAt);
      this.pending.delete(chunk);
      this.nextToWrite++;
      this.options.onWritten?.(this.nextToWrite);
      this.onProgress();
    }
  }
}
