import {
  type InputFormat,
  InvalidJobOptionsError,
  isInputFormat,
  type JobMetrics,
  type JobSummary,
  type OperatorModule,
  type OutputSink,
  type RejectReason,
} from '@statecraft/engine';
import type { CheckpointInterval } from '../checkpoint/partition-checkpointer.js';
import type { KafkaRejectedRecord } from '../codec/batch-decoder.js';
import type { AlertTextFormat } from '../sinks/alert-file-sink.js';
import type { PartitionStats } from '../source/partition-assignment.js';

export type KafkaGuarantee = 'at-least-once' | 'exactly-once';

/** Where each partition's checkpoints live: a compacted topic (no shared disk), or a shared directory. */
/**
 * Where partition checkpoints are kept: a compacted topic (`cacheDir`: this process's own local
 * copies, restored on a takeover while they are the topic's newest), or a directory every process
 * of the group reaches.
 */
export type KafkaStateStore = { topic: string; cacheDir?: string } | { dir: string };

/** What a Kafka job tells about itself as it runs (default: nothing). */
export interface KafkaJobLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface KafkaJobConfig {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  /** The events topic. */
  topic: string;
  /** The consumer group: the processes of one group share the topic's partitions. */
  group: string;
  /** The keyed operator every worker runs (`stateMachineOperator(machine)`, or your own module). */
  operator: OperatorModule;
  /** The event alphabet: a record's type must be one of these names. */
  eventNames: readonly string[];
  /** How records' values encode events: `flink-binary` (default, Flink's 8 bytes), `csv` or `ndjson`. */
  values?: InputFormat;
  /**
   * How a chunk's outputs become text: one line per output, the value of an alerts-topic record
   * and the lines of the per-partition files. Needed with `alertsTopic` or `outputDir`.
   */
  alertText?: AlertTextFormat;
  /** Sends each output to this topic, keyed by address, with the source partition and offset in headers. */
  alertsTopic?: string;
  /** One file of outputs per Kafka partition, `<dir>/partition-<n>.<extension>`. */
  outputDir?: { dir: string; extension: string };
  /** More sinks (a file, a stream, typed alerts), written in each partition's order; at-least-once. */
  sinks?: readonly OutputSink[];
  /**
   * `at-least-once` (default): outputs are written before their offsets are committed.
   * `exactly-once`: outputs go to `alertsTopic` only, committed with the state and the offsets in
   * one Kafka transaction per checkpoint; needs `alertsTopic` and `state: { topic }`.
   */
  guarantee?: KafkaGuarantee;
  /** Per-partition checkpoints: a partition's state moves with it to its next owner. */
  state?: KafkaStateStore;
  /** How often each partition is checkpointed. Default every 10 s. */
  checkpointInterval?: CheckpointInterval;
  /**
   * What else must match for a checkpoint to be reused (the operator's identity and output
   * format, say): a checkpoint of another job is refused. Topic, group and value format always count.
   */
  stateIdentity?: string;
  /** Stops once the group has committed every partition's end offset as it was at start. */
  untilEnd?: boolean;
  /** Worker threads (0: the calling thread). Default: available cores. */
  workers?: number;
  /** Key groups. Default 128. */
  partitions?: number;
  /** Aborting it stops the job as `stop()` does. */
  signal?: AbortSignal;
  /** Client id the brokers see. Default `statecraft`. */
  clientId?: string;
  /** Start-up (reach the cluster, read metadata, join the group) must finish within this. Default 10 000 ms. */
  timeoutMs?: number;
  /** A running job rides out a cluster it lost (a broker restarting) this long. Default 60 000 ms. */
  reconnectMs?: number;
  /** The group drops a member silent this long. Default 30 000 ms. */
  sessionTimeoutMs?: number;
  /** Most bytes one fetch returns per partition (bounds a chunk). Default 1 MiB. */
  fetchBytes?: number;
  /**
   * How often the group's leader looks for partitions added to the topic (they are then assigned).
   * Default 300 000 ms, as Java's metadata.max.age.ms.
   */
  metadataMaxAgeMs?: number;
  /** A record that is not an event: counted and skipped; throwing from here fails the job. */
  onReject?: (record: KafkaRejectedRecord) => void;
  /** Live metrics, as the engine's jobs report them. */
  onMetrics?: (metrics: JobMetrics) => void;
  /** Takeovers, state topics created, damaged checkpoints passed over. */
  log?: KafkaJobLog;
}

export interface KafkaJobSummary extends JobSummary {
  kafka: {
    topic: string;
    group: string;
    /** What each partition this process read contributed. */
    partitions: PartitionStats[];
    /** True when an `untilEnd` job saw the group reach the end offsets. */
    reachedEnd: boolean;
    /** Records that were not events, by reason. */
    rejects: Partial<Record<RejectReason, number>>;
  };
}

/** The config checked and completed with its defaults. */
export interface KafkaJobPlan extends KafkaJobConfig {
  values: InputFormat;
  guarantee: KafkaGuarantee;
  checkpointInterval: CheckpointInterval;
  clientId: string;
  timeoutMs: number;
  reconnectMs: number;
  metadataMaxAgeMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** What makes partition checkpoints usable by this job. */
  identity: string;
}

/** Checks a Kafka job's config (InvalidJobOptionsError naming the option) and applies the defaults. */
export function planKafkaJob(config: KafkaJobConfig): KafkaJobPlan {
  const invalid = (message: string) => new InvalidJobOptionsError(message);
  if (config.brokers.length === 0) throw invalid('brokers: give at least one host:port');
  for (const name of ['topic', 'group'] as const) {
    if (typeof config[name] !== 'string' || config[name] === '') throw invalid(`${name} is required`);
  }
  const values = config.values ?? 'flink-binary';
  if (!isInputFormat(values)) throw invalid(`values: ${String(values)} is not csv, ndjson or flink-binary`);
  if (config.alertsTopic === config.topic) throw invalid('alertsTopic must not be the events topic');
  const stateTopic = config.state !== undefined && 'topic' in config.state ? config.state.topic : undefined;
  if (stateTopic !== undefined && (stateTopic === config.topic || stateTopic === config.alertsTopic)) {
    throw invalid('state.topic must be a topic of its own');
  }
  if (
    (config.alertsTopic !== undefined || config.outputDir !== undefined) &&
    config.alertText === undefined
  ) {
    throw invalid('alertsTopic and outputDir need alertText: how an output becomes a line');
  }
  const guarantee = config.guarantee ?? 'at-least-once';
  if (guarantee !== 'at-least-once' && guarantee !== 'exactly-once') {
    throw invalid(`guarantee must be at-least-once or exactly-once, got ${String(guarantee)}`);
  }
  if (guarantee === 'exactly-once') {
    if (config.alertsTopic === undefined || stateTopic === undefined) {
      throw invalid(
        'exactly-once needs alertsTopic and state: { topic }: outputs, state and offsets commit together in Kafka',
      );
    }
    if (config.outputDir !== undefined || (config.sinks?.length ?? 0) > 0) {
      throw invalid(
        'exactly-once writes to alertsTopic only: files and other sinks cannot join a Kafka transaction',
      );
    }
  }
  const sessionTimeoutMs = positiveInteger('sessionTimeoutMs', config.sessionTimeoutMs ?? 30_000);
  const checkpointInterval = config.checkpointInterval ?? { everyMs: 10_000 };
  if (checkpointInterval.everyEvents === undefined && checkpointInterval.everyMs === undefined) {
    throw invalid('checkpointInterval needs everyEvents or everyMs');
  }
  return {
    ...config,
    values,
    guarantee,
    checkpointInterval,
    clientId: config.clientId ?? 'statecraft',
    timeoutMs: positiveInteger('timeoutMs', config.timeoutMs ?? 10_000),
    reconnectMs: nonNegativeInteger('reconnectMs', config.reconnectMs ?? 60_000),
    metadataMaxAgeMs: positiveInteger('metadataMaxAgeMs', config.metadataMaxAgeMs ?? 300_000),
    sessionTimeoutMs,
    // Ten heartbeats per session: a rebalance is noticed quickly and a slow one never drops a member.
    heartbeatIntervalMs: Math.max(100, Math.min(3000, Math.floor(sessionTimeoutMs / 10))),
    identity: [
      `kafka topic ${config.topic} group ${config.group} values ${values}`,
      ...(config.stateIdentity === undefined ? [] : [config.stateIdentity]),
    ].join(', '),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidJobOptionsError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidJobOptionsError(`${name} must be an integer ≥ 0, got ${value}`);
  }
  return value;
}
