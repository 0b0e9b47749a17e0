import { availableParallelism } from 'node:os';
import { DEFAULT_PARTITIONS, defaultWorkersFor } from './definitions/defaults.js';
import { type KafkaFlags, usesKafka } from './kafka/kafka-options.js';

export interface WarmStartFlags extends KafkaFlags {
  workers?: number | undefined;
  partitions?: number | undefined;
  input?: string | undefined;
  events?: number | undefined;
  /** --head-start (undefined: off). */
  headStart?: boolean | undefined;
}

let warmedUp = false;

/**
 * The worker threads a `run` will start, when its flags alone say so: --workers, or the default
 * for the generator (by its --events) and for stdin. Undefined for a Kafka run, for an input file
 * without --workers (its size decides, read later), for flags the run will reject (it reports
 * them), and for a job with a head start (it starts them itself, once its pace says they will
 * pay). A fed input (stdin, .gz) has no head start.
 */
export function workersKnownFromFlags(
  flags: WarmStartFlags,
  cores = availableParallelism(),
): number | undefined {
  if (usesKafka(flags)) return undefined;
  const partitions = flags.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1) return undefined;
  let workers = flags.workers;
  if (workers === undefined) {
    if (flags.input !== undefined && flags.input !== '-') return undefined;
    workers = Math.min(partitions, defaultWorkersFor(flags.input === '-' ? undefined : flags.events, cores));
  }
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= partitions)) return undefined;
  const fed = flags.input === '-' || flags.input?.endsWith('.gz') === true;
  // A head-started job starts its threads itself, once its pace says they will pay.
  if (flags.headStart === true && !fed) return undefined;
  return workers;
}

/**
 * Starts the run's worker threads before its code loads (the engine's warmUpWorkers): they boot
 * while this thread imports the engine and opens the source and sink, not after.
 */
export async function warmUpRunWorkers(flags: WarmStartFlags): Promise<void> {
  const workers = workersKnownFromFlags(flags);
  if (workers === undefined) return;
  const { warmUpWorkers } = await import('@statecraft/engine/warm-up');
  warmUpWorkers(workers);
  warmedUp = true;
}

/** Stops warmed-up threads the run did not take (it failed before its job started). */
export async function releaseRunWorkers(): Promise<void> {
  if (!warmedUp) return;
  const { releaseWarmWorkers } = await import('@statecraft/engine/warm-up');
  await releaseWarmWorkers();
}
