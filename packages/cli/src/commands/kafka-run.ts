import { availableParallelism } from 'node:os';
import { type OutputSink, REJECT_DESCRIPTIONS, StatecraftError, TextStreamSink } from '@statecraft/engine';
import { type AlertFormat, createAlertFormatter, stateMachineOperator } from '@statecraft/fsm';
import {
  AlertFileSink,
  createKafkaJob,
  KafkaError,
  type KafkaJobConfig,
  type KafkaJobSummary,
  type KafkaRejectedRecord,
  KafkaStartTimeoutError,
} from '@statecraft/kafka';
import { DEFAULT_CHECKPOINT_INTERVAL, machineIdentity, parseCheckpointInterval } from '../checkpointing.js';
import { usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { DeadLetterFile } from '../io/dead-letter.js';
import {
  brokerList,
  clientId,
  kafkaFormat,
  kafkaTimeoutMs,
  requiredFlag,
  sessionTimeoutMs,
} from '../kafka/kafka-flags.js';
import { formatKafkaSummary, type KafkaRunStats } from '../kafka/kafka-summary.js';
import { logger } from '../log/logger.js';
import { resolveMachine } from '../machine-flag.js';
import { integerFlag } from '../options.js';
import { RunMonitor } from '../status/run-monitor.js';
import { formatSummary, type RunStats, runStatsOf, writeStats } from '../summary.js';
import type { RunArgs } from './run-args.js';

/** The file extension of each alert format, for --output-dir's per-partition files. */
const EXTENSIONS: Readonly<Record<AlertFormat, string>> = { text: 'txt', csv: 'csv', ndjson: 'ndjson' };

/**
 * `statecraft run --brokers b --topic t --group g`: the detection job over a consumer group's share
 * of a topic, as `createKafkaJob` of @statecraft/kafka runs it; this command translates the flags.
 * Runs until interrupted (SIGINT or SIGTERM: what was read is written and committed, exit 130) or,
 * with --until-end, until the group has committed the end offsets the topic had at start.
 */
export async function kafkaRunCommand(args: RunArgs): Promise<number> {
  const settings = kafkaJobSettings(args);
  const machine = await resolveMachine(args.machine);
  const alerts = createAlertFormatter(machine, args.format);
  const fileOutput =
    args.output !== undefined && args.output !== '-' ? new AlertFileSink(args.output, alerts) : undefined;
  await fileOutput?.open();
  // Rejected records, with their partition and offset (read again after a takeover: at least once).
  const deadLetter =
    args.deadLetter === undefined
      ? undefined
      : new DeadLetterFile(
          args.deadLetter,
          `kafka:${settings.topic}`,
          settings.values === 'flink-binary' ? 'hex' : 'text',
        );
  const toStdout =
    args.output === '-' ||
    (args.output === undefined && args.outputDir === undefined && args.alertsTopic === undefined);
  const sinks: OutputSink[] = [];
  if (fileOutput !== undefined) sinks.push(fileOutput);
  else if (toStdout) {
    sinks.push(
      new TextStreamSink(process.stdout, {
        format: (columns) => alerts.format(columns),
        header: alerts.header(),
        name: 'stdout',
      }),
    );
  }
  const monitor = await RunMonitor.start(args, {
    source: [],
    input: undefined,
    events: 0,
    output: toStdout ? '-' : (args.output ?? args.outputDir ?? `topic ${args.alertsTopic}`),
    title: {
      source: `kafka:${settings.topic}`,
      machine: machine.name,
      workers: settings.workers,
      partitions: settings.partitions,
    },
  });
  const job = createKafkaJob({
    ...settings,
    operator: stateMachineOperator(machine),
    eventNames: machine.eventNames,
    stateIdentity: `${machineIdentity(machine)}, alerts ${args.format}`,
    alertText: alerts,
    ...(args.outputDir === undefined
      ? {}
      : { outputDir: { dir: args.outputDir, extension: EXTENSIONS[args.format] } }),
    sinks,
    onMetrics: monitor.onMetrics,
    log: logger,
    ...(args.strict || deadLetter !== undefined
      ? {
          onReject: (record: KafkaRejectedRecord) => {
            deadLetter?.addKafkaRecord(record.partition, record.offset, record.reason, record.raw);
            if (args.strict) rejectStrictly(settings.topic, record);
          },
        }
      : {}),
  });
  const stop = () => job.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let summary: KafkaJobSummary;
  try {
    summary = await job.run();
  } catch (error) {
    if (error instanceof KafkaStartTimeoutError) {
      throw new KafkaError(`${error.message} (--kafka-timeout)`, error, error.code);
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // A failed run still keeps the rejected records it met.
    deadLetter?.close();
    await monitor.stop();
  }
  const stats = kafkaRunStats(summary, { machine: machine.name, load: monitor.statsFields() });
  if (args.stats !== undefined) writeStats(args.stats, stats);
  if (!args.quiet) process.stderr.write(formatSummary(stats) + formatKafkaSummary(stats.kafka));
  return summary.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

type KafkaJobSettings = Omit<KafkaJobConfig, 'operator' | 'eventNames'> &
  Required<Pick<KafkaJobConfig, 'topic' | 'values' | 'workers' | 'partitions'>>;

/** Checks the flags of a Kafka run (usage errors, exit 2) before anything connects. */
function kafkaJobSettings(args: RunArgs): KafkaJobSettings {
  const context = 'reading Kafka';
  const brokers = brokerList(requiredFlag('brokers', args.brokers, context));
  const topic = requiredFlag('topic', args.topic, context);
  const group = requiredFlag('group', args.group, context);
  if (args.input !== undefined) throw usageError('--input and --brokers are two sources: give one');
  if (args.sourceParallelism !== undefined) {
    throw usageError(
      '--source-parallelism is for the generator and files; a Kafka source reads on one thread',
    );
  }
  if (args.alertsTopic === topic) throw usageError('--alerts-topic must not be the events topic');
  if (args.resume) {
    throw usageError(
      '--resume is for file and generator runs: a Kafka run always takes its partitions over from their checkpoints in --checkpoint-dir',
    );
  }
  if (args.stateTtl !== undefined) {
    throw usageError(
      '--state-ttl is not supported with --brokers: its clock counts chunks, which differ between the processes of a group',
    );
  }
  if (args.stateTopic === topic || (args.stateTopic !== undefined && args.stateTopic === args.alertsTopic)) {
    throw usageError('--state-topic must be a topic of its own');
  }
  if (
    args.checkpointDir === undefined &&
    args.stateTopic === undefined &&
    args.checkpointInterval !== undefined
  ) {
    throw usageError('--checkpoint-interval needs --state-topic or --checkpoint-dir');
  }
  const guarantee = args.guarantee ?? 'at-least-once';
  if (guarantee !== 'at-least-once' && guarantee !== 'exactly-once') {
    throw usageError(`--guarantee must be at-least-once or exactly-once, got ${guarantee}`);
  }
  if (guarantee === 'exactly-once' && (args.alertsTopic === undefined || args.stateTopic === undefined)) {
    throw usageError(
      '--guarantee exactly-once needs --alerts-topic and --state-topic: alerts, state and offsets commit together in Kafka',
    );
  }
  if (guarantee === 'exactly-once' && (args.output !== undefined || args.outputDir !== undefined)) {
    throw usageError(
      '--guarantee exactly-once writes to --alerts-topic only: files cannot join a Kafka transaction',
    );
  }
  const workers = integerFlag('workers', args.workers ?? availableParallelism(), 0, 1024);
  const partitions = integerFlag('partitions', args.partitions, 1, 1 << 20);
  if (workers > partitions) {
    throw usageError(
      `--workers (${workers}) cannot exceed --partitions (${partitions}): each worker owns key groups`,
    );
  }
  return {
    brokers,
    topic,
    group,
    values: kafkaFormat(args.kafkaFormat),
    guarantee,
    ...(args.alertsTopic === undefined ? {} : { alertsTopic: args.alertsTopic }),
    ...(args.stateTopic !== undefined
      ? {
          state: {
            topic: args.stateTopic,
            ...(args.checkpointDir === undefined ? {} : { cacheDir: args.checkpointDir }),
          },
        }
      : args.checkpointDir !== undefined
        ? { state: { dir: args.checkpointDir } }
        : {}),
    checkpointInterval: parseCheckpointInterval(args.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL),
    untilEnd: args.untilEnd ?? false,
    workers,
    partitions,
    clientId: clientId(args.kafkaClientId),
    timeoutMs: kafkaTimeoutMs(args.kafkaTimeout),
    sessionTimeoutMs: sessionTimeoutMs(args.kafkaSessionTimeout),
    reconnectMs: integerFlag('kafka-reconnect-timeout', args.kafkaReconnectTimeout ?? 60_000, 0, 3_600_000),
    ...(args.kafkaFetchBytes === undefined
      ? {}
      : { fetchBytes: integerFlag('kafka-fetch-bytes', args.kafkaFetchBytes, 1024, 1 << 30) }),
    ...(args.kafkaMetadataMaxAge === undefined
      ? {}
      : {
          metadataMaxAgeMs: integerFlag('kafka-metadata-max-age', args.kafkaMetadataMaxAge, 100, 86_400_000),
        }),
  };
}

/** --strict: the first bad record ends the job (exit 65), named by topic, partition and offset. */
function rejectStrictly(topic: string, record: KafkaRejectedRecord): never {
  throw new StatecraftError(
    'BAD_RECORD',
    `topic ${topic} partition ${record.partition} offset ${record.offset}: ${REJECT_DESCRIPTIONS[record.reason]}`,
  );
}

function kafkaRunStats(
  summary: KafkaJobSummary,
  run: { machine: string; load: Pick<RunStats, 'keyGroupSkew' | 'workerBusy'> },
): RunStats & { kafka: KafkaRunStats } {
  const { topic, group, partitions, reachedEnd, rejects } = summary.kafka;
  return {
    ...runStatsOf(summary, {
      rejectedByReason: rejects,
      machine: run.machine,
      source: `kafka:${topic}`,
      load: run.load,
    }),
    kafka: { topic, group, partitions, reachedEnd },
  };
}
