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
  /** The parts' next free index, per worker. */
  private readonly cursors: Uint32Array;
  private keyGroups = new Uint32Array(0);
  private wholePart: WorkerPart | undefined;
  /** The chunk sorted by owner, before it is copied into the parts (see scatter). */
  private staging: WorkerPart | undefined;

  constructor(
    private readonly workers: number,
    private readonly partitions: number,
    private readonly pool?: PartPool,
  ) {
    this.ownerOfKeyGroup = new Uint32Array(partitions);
    for (let kg = 0; kg < partitions; kg++)
      this.ownerOfKeyGroup[kg] = workerOfKeyGroup(kg, workers, partitions);
    this.counts = new Uint32Array(workers);
    this.cursors = new Uint32Array(workers);
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

  /**
   * With one owner, the chunk as its part without copying it: for a caller that applies each part
   * before the next chunk is produced (the inline job). The part's addresses and types are the
   * batch's own; the part itself, its key groups and its positions are reused from chunk to chunk.
   */
  whole(batch: EventBatch): WorkerPart {
    if (this.workers !== 1) throw new RangeError(`a whole chunk is one owner's part, not ${this.workers}'s`);
    const { count, addresses, types } = batch;
    let part = this.wholePart;
    if (part === undefined || part.keyGroups.length < count) {
      const positions = new Uint32Array(count);
      for (let i = 0; i < count; i++) positions[i] = i;
      part = { count, addresses, types, keyGroups: new Uint32Array(count), positions };
      this.wholePart = part;
    }
    part.count = count;
    part.addresses = addresses;
    part.types = types;
    this.assignKeyGroups(addresses, count, part.keyGroups);
    this.addChunkCounts(part.keyGroups, count);
    return part;
  }

  private partition(batch: EventBatch, includeEmpty: boolean): (WorkerPart | undefined)[] {
    const { count, addresses, types } = batch;
    if (this.workers === 1) {
      if (count === 0 && !includeEmpty) return [undefined];
      const part = this.allocate(0, count);
      this.assignKeyGroups(addresses, count, part.keyGroups);
      this.addChunkCounts(part.keyGroups, count);
      const { positions } = part;
      for (let i = 0; i < count; i++) positions[i] = i;
      part.addresses.set(addresses.subarray(0, count));
      part.types.set(types.subarray(0, count));
      part.count = count;
      return [part];
    }
    if (this.keyGroups.length < count) this.keyGroups = new Uint32Array(count);
    const { keyGroups, counts, workers } = this;
    // Counting per key group costs what counting per owner did; owners' counts are sums of ranges.
    this.assignKeyGroups(addresses, count, keyGroups);
    counts.fill(0);
    this.addChunkCounts(keyGroups, count);
    const parts: (WorkerPart | undefined)[] = [];
    for (let w = 0; w < workers; w++) {
      const n = counts[w]!;
      parts.push(n === 0 && !includeEmpty ? undefined : this.allocate(w, n));
    }
    this.scatter(batch, parts);
    return parts;
  }

  /**
   * keyGroups[i] = fmix32(addresses[i]) mod P, counted per key group. One loop per kind of P, with
   * nothing but integer arithmetic in it (see uint32Mod).
   */
  private assignKeyGroups(addresses: Uint32Array, count: number, keyGroups: Uint32Array): void {
    const { chunkCounts, partitions } = this;
    if ((partitions & (partitions - 1)) === 0) {
      const mask = partitions - 1;
      for (let i = 0; i < count; i++) {
        const kg = fmix32(addresses[i]!) & mask;
        keyGroups[i] = kg;
        chunkCounts[kg]!++;
      }
      return;
    }
    for (let i = 0; i < count; i++) {
      const hash = fmix32(addresses[i]!);
      const kg = ((((hash >>> 1) % partitions) << 1) + (hash & 1)) % partitions;
      keyGroups[i] = kg;
      chunkCounts[kg]!++;
    }
  }

  /**
   * Copies each event to its owner's part: a counting sort into one staging chunk, owner after
   * owner (owners' counts are known), then one copy per owner and column. Writing straight into
   * the parts reached each part's column through an array of arrays per event: twice the time.
   */
  private scatter(batch: EventBatch, parts: (WorkerPart | undefined)[]): void {
    const { count, addresses, types } = batch;
    const { keyGroups, ownerOfKeyGroup, cursors, counts, workers } = this;
    const staging = this.stagingFor(count);
    const stagedAddresses = staging.addresses;
    const stagedTypes = staging.types;
    const stagedKeyGroups = staging.keyGroups;
    const stagedPositions = staging.positions;
    let start = 0;
    for (let w = 0; w < workers; w++) {
      cursors[w] = start;
      start += counts[w]!;
    }
    for (let i = 0; i < count; i++) {
      const kg = keyGroups[i]!;
      const j = cursors[ownerOfKeyGroup[kg]!]!++;
      stagedAddresses[j] = addresses[i]!;
      stagedTypes[j] = types[i]!;
      stagedKeyGroups[j] = kg;
      stagedPositions[j] = i;
    }
    start = 0;
    parts.forEach((part, owner) => {
      const end = start + counts[owner]!;
      if (part !== undefined) {
        part.addresses.set(stagedAddresses.subarray(start, end));
        part.types.set(stagedTypes.subarray(start, end));
        part.keyGroups.set(stagedKeyGroups.subarray(start, end));
        part.positions.set(stagedPositions.subarray(start, end));
        part.count = end - start;
      }
      start = end;
    });
  }

  private stagingFor(count: number): WorkerPart {
    if (this.staging === undefined || this.staging.addresses.length < count) {
      this.staging = {
        count: 0,
        addresses: new Uint32Array(count),
        types: new Uint8Array(count),
        keyGroups: new Uint32Array(count),
        positions: new Uint32Array(count),
      };
    }
    return this.staging;
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
