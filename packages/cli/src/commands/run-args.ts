import type { AlertFormat } from '@statecraft/fsm';
import type { CheckpointArgs } from '../checkpointing.js';
import type { KafkaFlags } from '../kafka/kafka-options.js';
import type { ObservabilityArgs } from '../status/observability-options.js';

/** `statecraft run`'s flags, as its definition passes them to the file, generator and Kafka runs. */
export interface RunArgs extends CheckpointArgs, KafkaFlags, ObservabilityArgs {
  input?: string;
  inputFormat?: string;
  events: number;
  errorRate: number;
  seed: number;
  machine: string;
  /** Worker threads; default: defaultWorkers (inline for a short job, else one per core). */
  workers?: number;
  partitions: number;
  /** Alerts file or - (stdout, the default). */
  output?: string;
  format: AlertFormat;
  stats?: string;
  deadLetter?: string;
  strict: boolean;
  generatorSplits: number;
  sourceParallelism?: number;
  /** --head-start: with workers, start on the main thread, threads once they pay (see JobOptions.headStart). */
  headStart: boolean;
  quiet: boolean;
  maxRestarts: number;
  stateTtl?: string | undefined;
}
