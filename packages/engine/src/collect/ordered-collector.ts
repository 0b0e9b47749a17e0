import type { OutputColumns } from '../batch.js';
import { SinkError } from '../errors.js';
import type { OutputSink } from '../sinks/sink.js';
import { mergeByPosition } from './merge.js';

interface PendingChunk {
  partsLeft: number;
  outputs: OutputColumns[];
  submittedAt: number;
}

/**
 * Gathers each chunk's outputs from the workers it was split across, merges them back into source
 * order, and writes chunks to the sink strictly in chunk-index order, one write at a time.
 */
export class OrderedCollector {
  private readonly pending = new Map<number, PendingChunk>();
  private nextToWrite = 0;
  private writing: Promise<void> | undefined;
  private failure: unknown;
  private outputs = 0;
  readonly latenciesMs: number[] = [];

  constructor(
    private readonly sink: OutputSink,
    private readonly onProgress: () => void,
  ) {}

  /** Chunks registered but not yet written to the sink. */
  get backlog(): number {
    return this.pending.size;
  }

  /** Chunks written so far: the index of the next chunk to write. */
  get chunksWritten(): number {
    return this.nextToWrite;
  }

  get written(): number {
    return this.outputs;
  }

  /** The sink's failure, as a SinkError, once a write has failed. */
  get error(): SinkError | undefined {
    if (this.failure === undefined || this.failure instanceof SinkError) return this.failure;
    const reason = this.failure instanceof Error ? this.failure.message : String(this.failure);
    return new SinkError(reason, this.failure);
  }

  expect(chunk: number, parts: number): void {
    this.pending.set(chunk, { partsLeft: parts, outputs: [], submittedAt: performance.now() });
    if (parts === 0) this.pump();
  }

  deliver(chunk: number, columns: OutputColumns): void {
    const entry = this.pending.get(chunk);
    if (entry === undefined) return;
    if (columns.count > 0) entry.outputs.push(columns);
    entry.partsLeft--;
    if (chunk === this.nextToWrite && entry.partsLeft === 0) this.pump();
  }

  private pump(): void {
    if (this.writing !== undefined || this.failure !== undefined) return;
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
      if (entry === undefined || entry.partsLeft > 0) return;
      const chunk = this.nextToWrite;
      const merged = mergeByPosition(entry.outputs);
      try {
        if (merged.count > 0) await this.sink.write(chunk, merged);
        this.sink.chunkWritten?.(chunk);
      } catch (error) {
        this.failure = error;
        return;
      }
      this.outputs += merged.count;
      this.latenciesMs.push(performance.now() - entry.submittedAt);
      this.pending.delete(chunk);
      this.nextToWrite++;
      this.onProgress();
    }
  }
}
