import { chunksOfProducer } from '../../sources/parallel-source.js';
import type { ChunkInput } from '../chunk-inputs.js';
import type { ExchangeTask } from './protocol.js';

/**
 * The chunks a thread's producers make, in increasing index order: for an indexed source all of
 * them from the start chunk on, known in advance; for a fed source those whose input has arrived.
 */
export class HostedChunks {
  private items: (ChunkInput | undefined)[];
  private head = 0;

  constructor(task: Pick<ExchangeTask, 'producers' | 'sourceParallelism' | 'source' | 'start'>) {
    const { indexed } = task.source;
    const chunks: number[] = [];
    if (indexed !== undefined) {
      for (const producer of task.producers) {
        chunks.push(
          ...chunksOfProducer(
            producer,
            task.sourceParallelism,
            indexed.splits,
            indexed.chunks,
            task.start.chunk,
          ),
        );
      }
    }
    this.items = chunks.sort((a, b) => a - b).map((chunk) => ({ chunk }));
  }

  /** The next chunk to make, when it is known. */
  peek(): number | undefined {
    return this.items[this.head]?.chunk;
  }

  /** Takes the next chunk (peek() must have returned it). */
  take(): ChunkInput {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** A fed chunk's input arrived (fed chunks arrive in increasing order). */
  add(chunk: number, input: unknown): void {
    this.items.push({ chunk, input });
  }
}
