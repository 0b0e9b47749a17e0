import type { EventBatch, WorkerPart } from '../batch.js';
import { fmix32 } from './fmix32.js';
import { workerOfKeyGroup } from './key-groups.js';
import type { PartPool } from './part-pool.js';

/**
 * Splits chunks into one part per worker, by key group, keeping source order inside each part.
 * Parts come from a PartPool when one is given (recycled buffers), else are allocated per chunk;
 * never per event. Parts may have arrays longer than their count.
 */
export class Partitioner {
  /** Events partitioned so far, per key group (for key-group skew). */
  readonly keyGroupEvents: Float64Array;
  private readonly ownerOfKeyGroup: Uint32Array;
  private readonly counts: Uint32Array;
  /** The current chunk's events per key group, zeroed again as they are added to keyGroupEvents. */
  private readonly chunkCounts: Uint32Array;
  private keyGroups = new Uint32Array(0);

  constructor(
    private readonly workers: number,
    private readonly partitions: number,
    private readonly pool?: PartPool,
  ) {
    this.ownerOfKeyGroup = new Uint32Array(partitions);
    for (let kg = 0; kg < partitions; kg++)
      this.ownerOfKeyGroup[kg] = workerOfKeyGroup(kg, workers, partitions);
    this.counts = new Uint32Array(workers);
    this.chunkCounts = new Uint32Array(partitions);
    this.keyGroupEvents = new Float64Array(partitions);
  }

  /** `parts[w]` is worker w's part, or undefined when the chunk has no event for it. */
  split(batch: EventBatch): (WorkerPart | undefined)[] {
    return this.partition(batch, false);
  }

  /** One part per worker, empty ones included (owners that must see every chunk index). */
  splitAll(batch: EventBatch): WorkerPart[] {
    return this.partition(batch, true) as WorkerPart[];
  }

  private partition(batch: EventBatch, includeEmpty: boolean): (WorkerPart | undefined)[] {
    const { count, addresses, types } = batch;
    const { partitions, ownerOfKeyGroup, counts, workers, chunkCounts } = this;
    if (workers === 1 && (count > 0 || includeEmpty)) {
      const part = this.allocate(0, count);
      const partKeyGroups = part.keyGroups;
      for (let i = 0; i < count; i++) {
        const kg = fmix32(addresses[i]!) % partitions;
        partKeyGroups[i] = kg;
        part.positions[i] = i;
        chunkCounts[kg]!++;
      }
      this.addChunkCounts(partKeyGroups, count);
      part.addresses.set(addresses.subarray(0, count));
      part.types.set(types.subarray(0, count));
      part.count = count;
      return [part];
    }
    if (this.keyGroups.length < count) this.keyGroups = new Uint32Array(count);
    const { keyGroups } = this;
    // Counting per key group costs what counting per owner did; owners' counts are sums of ranges.
    for (let i = 0; i < count; i++) {
      const kg = fmix32(addresses[i]!) % partitions;
      keyGroups[i] = kg;
      chunkCounts[kg]!++;
    }
    counts.fill(0);
    this.addChunkCounts(keyGroups, count);
    const parts: (WorkerPart | undefined)[] = [];
    for (let w = 0; w < workers; w++) {
      const n = counts[w]!;
      parts.push(n === 0 && !includeEmpty ? undefined : this.allocate(w, n));
    }
    for (let i = 0; i < count; i++) {
      const kg = keyGroups[i]!;
      const part = parts[ownerOfKeyGroup[kg]!]!;
      const j = part.count++;
      part.addresses[j] = addresses[i]!;
      part.types[j] = types[i]!;
      part.keyGroups[j] = kg;
      part.positions[j] = i;
    }
    return parts;
  }

  /**
   * Moves the chunk's per-key-group counts into keyGroupEvents and the owners' counts, zeroing them:
   * over all key groups when there are fewer of them than events, else over the chunk's own.
   */
  private addChunkCounts(keyGroups: Uint32Array, count: number): void {
    const { chunkCounts, keyGroupEvents, counts, ownerOfKeyGroup } = this;
    if (this.partitions <= count) {
      for (let kg = 0; kg < this.partitions; kg++) {
        const n = chunkCounts[kg]!;
        if (n === 0) continue;
        keyGroupEvents[kg]! += n;
        counts[ownerOfKeyGroup[kg]!]! += n;
        chunkCounts[kg] = 0;
      }
      return;
    }
    for (let i = 0; i < count; i++) {
      const kg = keyGroups[i]!;
      const n = chunkCounts[kg]!;
      if (n === 0) continue;
      keyGroupEvents[kg]! += n;
      counts[ownerOfKeyGroup[kg]!]! += n;
      chunkCounts[kg] = 0;
    }
  }

  private allocate(worker: number, n: number): WorkerPart {
    if (this.pool !== undefined) return this.pool.take(worker, n);
    return {
      count: 0,
      addresses: new Uint32Array(n),
      types: new Uint8Array(n),
      keyGroups: new Uint32Array(n),
      positions: new Uint32Array(n),
    };
  }
}
