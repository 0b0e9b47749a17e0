import type { ThreadStart } from '../runtime/parallel/protocol.js';
import { producerOfChunk } from '../sources/parallel-source.js';
import type { JobStart } from './checkpoint.js';
import { splitKeyedState } from './keyed-state.js';

/**
 * Where each of W threads starts: at chunk 0, or at a checkpoint's chunk with the keys of its own
 * key groups (re-hashed for P) and the states of the splits its producers make (for S).
 */
export function threadStarts(
  start: JobStart,
  layout: { workers: number; partitions: number; sourceParallelism: number; splits: number },
): ThreadStart[] {
  const { workers, partitions, sourceParallelism, splits } = layout;
  if (start === undefined) {
    return Array.from({ length: workers }, () => ({ chunk: 0, firstEvent: 0, splits: [] }));
  }
  const keyed = splitKeyedState(start.keyed, workers, partitions);
  return keyed.map((state, thread) => ({
    chunk: start.chunk,
    firstEvent: start.firstEvent,
    keyed: state,
    splits: start.splits.filter(
      ({ split }) => producerOfChunk(split, splits, sourceParallelism) % workers === thread,
    ),
  }));
}
