// Drives W instances of the state machine operator on the calling thread, as the engine's owners do
// (every chunk reaches every instance, parts split by key group), so snapshot/restore can be tested
// without threads. The split of a snapshot among new owners is written here from keyGroupOf and
// workerOfKeyGroup, independently of the engine's own.
import {
  type EventBatch,
  type KeyedOperator,
  type KeyedState,
  keyGroupOf,
  keyGroupRange,
  mergeByPosition,
  OutputBuffer,
  Partitioner,
  workerOfKeyGroup,
} from '@statecraft/engine';
import type { MachineDefinition } from '../src/index.js';
import { createOperator } from '../src/operator.js';
import type { StateTtl } from '../src/state-ttl.js';

export class OperatorCluster {
  private readonly instances: KeyedOperator[];
  private readonly partitioner: Partitioner;
  private readonly out = new OutputBuffer();
  /** One line per alert: `chunk position address code`. */
  readonly lines: string[] = [];

  constructor(
    machine: MachineDefinition,
    readonly workers: number,
    readonly partitions: number,
    ttl?: StateTtl,
  ) {
    this.instances = Array.from({ length: workers }, (_, w) => {
      const { start, end } = keyGroupRange(w, workers, partitions);
      return createOperator({ machine, ttl }, { partitions, keyGroupStart: start, keyGroupEnd: end });
    });
    this.partitioner = new Partitioner(workers, partitions);
  }

  /** Applies chunk `chunk` whose first event is event `firstEvent` of the stream. */
  process(batch: EventBatch, chunk: number, firstEvent: number): void {
    const parts = this.partitioner.splitAll(batch);
    const outputs = parts.map((part, w) => {
      this.instances[w]!.process(part, this.out, { chunk, firstEvent });
      return this.out.take();
    });
    const merged = mergeByPosition(outputs);
    for (let i = 0; i < merged.count; i++) {
      this.lines.push(`${chunk} ${merged.positions[i]} ${merged.keys[i]} ${merged.codes[i]}`);
    }
  }

  /** Applies chunks [from, to) of `chunks`, keeping the event clock. */
  run(chunks: readonly EventBatch[], from: number, to: number): void {
    let firstEvent = eventsBefore(chunks, from);
    for (let chunk = from; chunk < to; chunk++) {
      this.process(chunks[chunk]!, chunk, firstEvent);
      firstEvent += chunks[chunk]!.count;
    }
  }

  /** Every instance's state, one after the other (as a checkpoint holds them). */
  snapshot(): KeyedState {
    const states = this.instances.map((instance) => instance.snapshot!());
    const total = states.reduce((n, s) => n + s.keys.length, 0);
    const keys = new Uint32Array(total);
    const values = new Uint32Array(total);
    const stamped = states.some((s) => s.stamps !== undefined);
    const stamps = stamped ? new Float64Array(total) : undefined;
    let offset = 0;
    for (const state of states) {
      keys.set(state.keys, offset);
      values.set(state.values, offset);
      if (stamps !== undefined) stamps.set(state.stamps!, offset);
      offset += state.keys.length;
    }
    return { keys, values, stamps };
  }

  /** Gives each instance the keys of its key groups. */
  restore(state: KeyedState): void {
    const owned: number[][] = Array.from({ length: this.workers }, () => []);
    state.keys.forEach((key, i) => {
      owned[workerOfKeyGroup(keyGroupOf(key, this.partitions), this.workers, this.partitions)]!.push(i);
    });
    owned.forEach((indexes, w) => {
      this.instances[w]!.restore!({
        keys: Uint32Array.from(indexes, (i) => state.keys[i]!),
        values: Uint32Array.from(indexes, (i) => state.values[i]!),
        stamps: state.stamps === undefined ? undefined : Float64Array.from(indexes, (i) => state.stamps![i]!),
      });
    });
  }

  liveKeys(): number {
    return this.instances.reduce((n, instance) => n + instance.liveKeys(), 0);
  }

  expiredKeys(): number {
    return this.instances.reduce((n, instance) => n + (instance.expiredKeys?.() ?? 0), 0);
  }
}

export function eventsBefore(chunks: readonly EventBatch[], chunk: number): number {
  let events = 0;
  for (let k = 0; k < chunk; k++) events += chunks[k]!.count;
  return events;
}

/** key → "value stamp" of a snapshot, for comparing two snapshots whatever their key order. */
export function stateByKey(state: KeyedState): Map<number, string> {
  const entries = new Map<number, string>();
  state.keys.forEach((key, i) => {
    entries.set(key, `${state.values[i]} ${state.stamps?.[i] ?? '-'}`);
  });
  return entries;
}
