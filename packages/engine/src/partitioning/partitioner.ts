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
  private readonly ownerOfKeyGroup: Uint32Array;
  private readonly counts: Uint32Array;
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
    const { partitions, ownerOfKeyGroup, counts, workers } = this;
    if (workers === 1 && (count > 0 || includeEmpty)) {
      const part = this.allocate(0, count);
      for (let i = 0; i < count; i++) {
        part.keyGroups[i] = fmix32(addresses[i]!) % partitions;
        part.positions[i] = i;
      }
      part.addresses.set(addresses.subarray(0, count));
      part.types.set(types.subarray(0, count));
      part.count = count;
      return [part];
    }
    if (this.keyGroups.length < count) this.keyGroups = new Uint32Array(count);
    const { keyGroups } = this;
    for (let i = 0; i < count; i++) keyGroups[i] = fmix32(addresses[i]!) % partitions;

    counts.fill(0);
    for (let i = 0; i < count; i++) counts[ownerOfKeyGroup[keyGroups[i]!]!]!++;
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
