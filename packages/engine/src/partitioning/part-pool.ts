import type { WorkerPart } from '../batch.js';

/**
 * Parts that came back from their owner after being applied, kept for reuse per owner: a producer
 * then fills recycled buffers instead of allocating (and page-faulting in) fresh ones per chunk.
 * It holds at most the parts that were in flight.
 */
export class PartPool {
  private readonly free: WorkerPart[][];

  constructor(workers: number) {
    this.free = Array.from({ length: workers }, () => []);
  }

  /** An empty part for `worker` with room for at least `n` events. */
  take(worker: number, n: number): WorkerPart {
    const free = this.free[worker]!;
    for (let i = free.length - 1; i >= 0; i--) {
      const part = free[i]!;
      if (part.addresses.length >= n) {
        free.splice(i, 1);
        part.count = 0;
        return part;
      }
    }
    const capacity = Math.max(n, 1024);
    return {
      count: 0,
      addresses: new Uint32Array(capacity),
      types: new Uint8Array(capacity),
      keyGroups: new Uint32Array(capacity),
      positions: new Uint32Array(capacity),
    };
  }

  give(worker: number, part: WorkerPart): void {
    this.free[worker]!.push(part);
  }
}
