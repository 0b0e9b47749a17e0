import type { EventBatch, SplitState } from '@statecraft/engine/operator-kit';
import type { CompiledMachine } from '../machine/compile.js';
import { mixSeed } from './prng.js';
import { SplitGenerator } from './split-generator.js';

export const DEFAULT_GENERATOR_SPLITS = 64;
export const DEFAULT_GENERATOR_CHUNK = 65_536;
/** Flink's generator draws addresses in [0, Integer.MAX_VALUE). */
export const DEFAULT_ADDRESS_RANGE: readonly [number, number] = [0, 0x7fffffff];

export interface GeneratorOptions {
  machine: CompiledMachine;
  events: number;
  seed?: number;
  errorRate?: number;
  /** Number of splits G: each owns a disjoint slice of the address range and its own seed. */
  splits?: number;
  chunkSize?: number;
  /** [first address, one past the last); at most [0, 2^32 - 1). */
  addressRange?: readonly [number, number];
}

export interface GeneratorPlan {
  machine: CompiledMachine;
  events: number;
  seed: number;
  errorRate: number;
  splits: number;
  chunkSize: number;
  addressRange: readonly [number, number];
  chunks: number;
}

/** Fills in defaults and checks the options; the plan defines the logical event stream. */
export function planGenerator(options: GeneratorOptions): GeneratorPlan {
  const plan = {
    machine: options.machine,
    events: options.events,
    seed: options.seed ?? 1,
    errorRate: options.errorRate ?? 0,
    splits: options.splits ?? DEFAULT_GENERATOR_SPLITS,
    chunkSize: options.chunkSize ?? DEFAULT_GENERATOR_CHUNK,
    addressRange: options.addressRange ?? DEFAULT_ADDRESS_RANGE,
  };
  const [min, max] = plan.addressRange;
  if (!Number.isSafeInteger(plan.events) || plan.events < 0)
    throw new RangeError('events must be an integer ≥ 0');
  if (!(plan.errorRate >= 0 && plan.errorRate <= 1)) throw new RangeError('error rate must be in [0, 1]');
  if (!Number.isInteger(plan.splits) || plan.splits < 1) throw new RangeError('generator splits must be ≥ 1');
  if (!Number.isInteger(plan.chunkSize) || plan.chunkSize < 1) throw new RangeError('chunk size must be ≥ 1');
  if (
    !(
      Number.isInteger(min) &&
      Number.isInteger(max) &&
      min >= 0 &&
      max <= 0xffffffff &&
      max - min >= plan.splits
    )
  ) {
    throw new RangeError(
      `address range [${min}, ${max}) must lie in [0, 2^32 - 1) and hold at least one address per split`,
    );
  }
  return { ...plan, chunks: Math.ceil(plan.events / plan.chunkSize) };
}

/** The address range and seed of split `index`, as Flink's EventsGeneratorFunction slices them per subtask. */
export function splitOptions(plan: GeneratorPlan, index: number) {
  const [min, max] = plan.addressRange;
  const width = max - min;
  return {
    seed: mixSeed(plan.seed, index),
    minAddress: min + Math.floor((index * width) / plan.splits),
    maxAddress: min + Math.floor(((index + 1) * width) / plan.splits),
    errorRate: plan.errorRate,
  };
}

/**
 * Makes the chunks of the generator's logical stream: chunk k comes from split k mod G and holds
 * `chunkSize` events (the last chunk fewer). Each split's chunks must be requested in increasing
 * order (a split is a sequential PRNG stream); splits are independent of each other.
 */
export class GeneratorChunks {
  private readonly splitGenerators = new Map<number, SplitGenerator>();
  readonly plan: GeneratorPlan;

  /** `restored`: splits that continue from a checkpoint instead of their start. */
  constructor(options: GeneratorOptions, restored: readonly SplitState[] = []) {
    this.plan = planGenerator(options);
    for (const { split, state } of restored) {
      if (!(Number.isInteger(split) && split >= 0 && split < this.plan.splits)) {
        throw new RangeError(
          `checkpoint has generator split ${split}, but the generator has ${this.plan.splits}`,
        );
      }
      this.split(split).restore(state);
    }
  }

  /** Chunk `chunk`, written into `into` when it is large enough (else into new arrays). */
  produce(chunk: number, into?: EventBatch): EventBatch {
    const { plan } = this;
    const split = this.split(chunk % plan.splits);
    const count = Math.min(plan.chunkSize, plan.events - chunk * plan.chunkSize);
    const batch =
      into !== undefined && into.addresses.length >= count
        ? into
        : { count, addresses: new Uint32Array(count), types: new Uint8Array(count) };
    split.fill(batch.addresses, batch.types, 0, count);
    batch.count = count;
    return batch;
  }

  /** Every split this instance has started, positioned before its next chunk. */
  snapshot(): SplitState[] {
    return [...this.splitGenerators].map(([split, generator]) => ({ split, state: generator.snapshot() }));
  }

  private split(index: number): SplitGenerator {
    let split = this.splitGenerators.get(index);
    if (split === undefined) {
      split = new SplitGenerator(this.plan.machine, splitOptions(this.plan, index));
      this.splitGenerators.set(index, split);
    }
    return split;
  }
}

/**
 * The generator's logical stream, chunk by chunk, on the calling thread. With `into`, every chunk
 * is written into it (when large enough), so a batch is only valid until the next one is made.
 */
export function* generateChunks(options: GeneratorOptions, into?: EventBatch): Generator<EventBatch> {
  const chunks = new GeneratorChunks(options);
  for (let chunk = 0; chunk < chunks.plan.chunks; chunk++) yield chunks.produce(chunk, into);
}
