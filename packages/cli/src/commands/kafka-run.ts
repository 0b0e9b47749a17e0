import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  isStatecraftError,
  type JobSummary,
  type OutputColumns,
  type OutputSink,
  REJECT_DESCRIPTIONS,
  runJob,
  StatecraftError,
  TextStreamSink,
} from '@statecraft/engine';
import { type AlertFormat, createAlertFormatter, stateMachineOperator } from '@statecraft/fsm';
import {
  AlertFileSink,
  AlertTopicSink,
  type CheckpointInterval,
  type CheckpointStore,
  ChunkLedger,
  type ClusterAdmin,
  ColumnarProducer,
  createKafkaJsClient,
  GroupMembership,
  KafkaCheckpointStore,
  type KafkaRejectedRecord,
  KafkaSource,
  kafkaJobSink,
  PartitionCheckpointer,
  PartitionCheckpointStore,
  PartitionFilesSink,
  type PartitionStats,
  PartitionTransactions,
  type RecordProducer,
  type TakeoverReport,
  type TopicOffsets,
  waitForGroupEnd,
} from '@statecraft/kafka';
import { DEFAULT_CHECKPOINT_INTERVAL, machineIdentity, parseCheckpointInterval } from '../checkpointing.js';
import { CliError, usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { DeadLetterFile } from '../io/dead-letter.js';
import { describeFsError } from '../io/open-input.js';
import {
  brokerList,
  clientId,
  kafkaFormat,
  kafkaTimeoutMs,
  requiredFlag,
  sessionTimeoutMs,
} from '../kafka/kafka-flags.js';
import { formatKafkaSummary, type KafkaRunStats } from '../kafka/kafka-summary.js';
import { Resources } from '../kafka/resources.js';
import { StartUp } from '../kafka/start-up.js';
import { logger } from '../log/logger.js';
import { resolveMachine } from '../machine-flag.js';
import { integerFlag } from '../options.js';
import { RunMonitor } from '../status/run-monitor.js';
import { formatSummary, type RunStats, runStatsOf } from '../summary.js';
import { type RunArgs, writeStats } from './run.js';

/** The file extension of each alert format, for --output-dir's per-partition files. */
const EXTENSIONS: Readonly<Record<AlertFormat, string>> = { text: 'txt', csv: 'csv', ndjson: 'ndjson' };

/**
 * `statecraft run --brokers b --topic t --group g`: the detection job over a consumer group's share
 * of a topic. Runs until interrupted (SIGINT or SIGTERM: what was read is written and committed,
 * exit 130) or, with --until-end, until the group has committed the end offsets the topic had at
 * start on every partition.
 */
export async function kafkaRunCommand(args: RunArgs): Promise<number> {
  const plan = planKafkaRun(args);
  const machine = await resolveMachine(args.machine);
  const alerts = createAlertFormatter(machine, args.format);
  const job = kafkaJobIdentity(plan, machineIdentity(machine), args.format);
  const directoryStore =
    plan.checkpoints?.dir === undefined ? undefined : openCheckpointStore(plan.checkpoints.dir, job);
  const fileOutput =
    args.output !== undefined && args.output !== '-' ? new AlertFileSink(args.output, alerts) : undefined;
  await fileOutput?.open();
  // Rejected records, with their partition and offset (read again after a takeover: at least once).
  const deadLetter =
    args.deadLetter === undefined
      ? undefined
      : new DeadLetterFile(
          args.deadLetter,
          `kafka:${plan.topic}`,
          plan.format === 'flink-binary' ? 'hex' : 'text',
        );
  if (args.outputDir !== undefined) createDirectory(args.outputDir);

  const client = createKafkaJsClient({
    brokers: plan.brokers,
    clientId: plan.clientId,
    timeoutMs: plan.timeoutMs,
    reconnectMs: plan.reconnectMs,
    debug: Boolean(process.env.STATECRAFT_DEBUG),
  });
  const resources = new Resources();
  // A failed run still keeps the rejected records it met (a clean run closes it before its summary).
  if (deadLetter !== undefined) resources.add(async () => deadLetter.close());
  const transactions = plan.exactlyOnce
    ? new PartitionTransactions({
        client,
        groupId: plan.group,
        topic: plan.topic,
        transactionalIdPrefix: `statecraft-${plan.group}-${plan.topic}`,
      })
    : undefined;
  if (transactions !== undefined) resources.add(() => transactions.close());
  const abort = new AbortController();
  const stopWatching = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const startUp = new StartUp(plan.brokers, plan.timeoutMs);
    const admin = client.admin();
    resources.add(() => admin.disconnect());
    const { range, producer, store } = await startUp.run(
      (async () => {
        await admin.connect();
        const topicPartitions = await admin.partitionCount(plan.topic);
        const range = args.untilEnd ? await admin.topicOffsets(plan.topic) : undefined;
        let producer: RecordProducer | undefined;
        if (args.alertsTopic !== undefined) {
          await admin.partitionCount(args.alertsTopic);
          producer = client.producer();
          resources.add(() => producer!.disconnect());
          await producer.connect();
        }
        let store: CheckpointStore | undefined = directoryStore;
        if (plan.checkpoints?.stateTopic !== undefined) {
          const stateProducer = new ColumnarProducer({
            brokers: plan.brokers,
            clientId: plan.clientId,
            // Its sends ride out a broker restarting (start-up is bounded by --kafka-timeout).
            timeoutMs: plan.reconnectMs,
          });
          resources.add(() => stateProducer.disconnect());
          const kafkaStore = new KafkaCheckpointStore({
            transactions,
            brokers: plan.brokers,
            clientId: plan.clientId,
            timeoutMs: plan.timeoutMs,
            stateTopic: plan.checkpoints.stateTopic,
            job,
            producer: stateProducer,
            admin,
          });
          const { created } = await kafkaStore.prepare(topicPartitions);
          if (created) {
            logger.info(
              `created state topic ${plan.checkpoints.stateTopic} (${topicPartitions} partitions, compacted)`,
            );
          }
          store = kafkaStore;
        }
        return { range, producer, store };
      })(),
    );

    const consumer = client.consumer({
      groupId: plan.group,
      topic: plan.topic,
      sessionTimeoutMs: plan.sessionTimeoutMs,
      heartbeatIntervalMs: plan.heartbeatIntervalMs,
      maxWaitMs: Math.min(plan.heartbeatIntervalMs, 500),
      ...(plan.fetchBytes === undefined ? {} : { maxBytesPerPartition: plan.fetchBytes }),
      fromBeginning: true,
    });
    const membership = new GroupMembership();
    const ledger = new ChunkLedger();
    const partitionFiles =
      args.outputDir === undefined
        ? undefined
        : new PartitionFilesSink(args.outputDir, EXTENSIONS[args.format], alerts, ledger, membership);
    const checkpoints =
      store === undefined || plan.checkpoints === undefined
        ? undefined
        : new PartitionCheckpointer({
            store,
            job: store.job,
            topic: plan.topic,
            interval: plan.checkpoints.interval,
            membership,
            // In a state topic, a checkpoint serves processes on other machines: it does not
            // describe this process's own alert files.
            ...(directoryStore === undefined ? {} : { outputs: partitionFiles }),
            commitPoints: transactions,
            committedOffset: async (partition) =>
              (await admin.committedOffsets(plan.group, plan.topic))[partition] ?? -1,
            writer: `${hostname()} pid ${process.pid}`,
            onTakeover: (takeover) => {
              for (const { reason } of takeover.unusable ?? [])
                logger.warn(`${reason}; using the previous checkpoint`);
              logger.info(describeTakeover(takeover), { ...takeoverFields(takeover) });
            },
          });
    const source = new KafkaSource({
      consumer,
      format: plan.format,
      eventNames: machine.eventNames,
      ...(range === undefined ? {} : { endOffsets: range.end }),
      heartbeatIntervalMs: plan.heartbeatIntervalMs,
      signal: abort.signal,
      ledger,
      membership,
      ...(checkpoints === undefined ? {} : { checkpoints }),
      ...(args.strict || deadLetter !== undefined
        ? {
            onReject: (record: KafkaRejectedRecord) => {
              deadLetter?.addKafkaRecord(record.partition, record.offset, record.reason, record.raw);
              if (args.strict) rejectStrictly(plan.topic, record);
            },
          }
        : {}),
    });
    resources.add(() => consumer.stop());
    startUp.waitingFor(`join group ${plan.group} on`);
    await startUp.run(source.start());
    if (range !== undefined) watchForEnd(source, admin, plan, range, stopWatching.signal);

    const toStdout =
      args.output === '-' ||
      (args.output === undefined && args.outputDir === undefined && args.alertsTopic === undefined);
    const outputs: OutputSink[] = [];
    if (fileOutput !== undefined) outputs.push(fileOutput);
    else if (toStdout) {
      outputs.push(
        new TextStreamSink(process.stdout, {
          format: (columns) => alerts.format(columns),
          header: alerts.header(),
          name: 'stdout',
        }),
      );
    }
    if (partitionFiles !== undefined) outputs.push(partitionFiles);
    if (producer !== undefined && args.alertsTopic !== undefined) {
      const lines = (columns: OutputColumns) => alerts.format(columns);
      outputs.push(
        new AlertTopicSink(producer, args.alertsTopic, plan.topic, lines, source.ledger, transactions),
      );
    }

    const monitor = await RunMonitor.start(args, {
      source,
      input: undefined,
      events: 0,
      output: toStdout ? '-' : (args.output ?? args.outputDir ?? `topic ${args.alertsTopic}`),
      title: {
        source: `kafka:${plan.topic}`,
        machine: machine.name,
        workers: plan.workers,
        partitions: plan.partitions,
      },
    });
    resources.add(() => monitor.stop());
    // The source ends itself on the signal, after its last checkpoints: the job reads it to the end.
    const summary = await runJob({
      source,
      operator: stateMachineOperator(machine),
      sink: kafkaJobSink(outputs, source),
      workers: plan.workers,
      partitions: plan.partitions,
      onMetrics: monitor.onMetrics,
    });
    await source.drain();
    deadLetter?.close();
    await monitor.stop();
    const interrupted = abort.signal.aborted;
    const stats = kafkaRunStats(
      { ...summary, interrupted, ...(checkpoints === undefined ? {} : { checkpoints: checkpoints.stats }) },
      source,
      plan,
      { machine: machine.name, load: monitor.statsFields() },
      range !== undefined && !interrupted,
    );
    if (args.stats !== undefined) writeStats(args.stats, stats);
    if (!args.quiet) process.stderr.write(formatSummary(stats) + formatKafkaSummary(stats.kafka));
    return interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    stopWatching.abort();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await resources.closeAll();
  }
}

interface KafkaRunPlan {
  brokers: string[];
  topic: string;
  group: string;
  format: ReturnType<typeof kafkaFormat>;
  timeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  clientId: string;
  workers: number;
  partitions: number;
  checkpoints: { dir?: string; stateTopic?: string; interval: CheckpointInterval } | undefined;
  exactlyOnce: boolean;
  fetchBytes: number | undefined;
  reconnectMs: number;
}

/** Checks the flags of a Kafka run (usage errors, exit 2) before anything connects. */
function planKafkaRun(args: RunArgs): KafkaRunPlan {
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
  if (args.checkpointDir !== undefined && args.stateTopic !== undefined) {
    throw usageError(
      '--checkpoint-dir and --state-topic are two places for the checkpoints: give one (--state-topic needs no shared disk)',
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
  const exactlyOnce = guarantee === 'exactly-once';
  if (exactlyOnce && (args.alertsTopic === undefined || args.stateTopic === undefined)) {
    throw usageError(
      '--guarantee exactly-once needs --alerts-topic and --state-topic: alerts, state and offsets commit together in Kafka',
    );
  }
  if (exactlyOnce && (args.output !== undefined || args.outputDir !== undefined)) {
    throw usageError(
      '--guarantee exactly-once writes to --alerts-topic only: files cannot join a Kafka transaction',
    );
  }
  const interval = parseCheckpointInterval(args.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL);
  const checkpoints =
    args.checkpointDir !== undefined
      ? { dir: args.checkpointDir, interval }
      : args.stateTopic !== undefined
        ? { stateTopic: args.stateTopic, interval }
        : undefined;
  const workers = integerFlag('workers', args.workers, 0, 1024);
  const partitions = integerFlag('partitions', args.partitions, 1, 1 << 20);
  if (workers > partitions) {
    throw usageError(
      `--workers (${workers}) cannot exceed --partitions (${partitions}): each worker owns key groups`,
    );
  }
  const session = sessionTimeoutMs(args.kafkaSessionTimeout);
  return {
    brokers,
    topic,
    group,
    format: kafkaFormat(args.kafkaFormat),
    timeoutMs: kafkaTimeoutMs(args.kafkaTimeout),
    sessionTimeoutMs: session,
    // Ten heartbeats per session: a rebalance is noticed quickly and a slow one never drops a member.
    heartbeatIntervalMs: Math.max(100, Math.min(3000, Math.floor(session / 10))),
    clientId: clientId(args.kafkaClientId),
    workers,
    partitions,
    checkpoints,
    exactlyOnce,
    reconnectMs: integerFlag('kafka-reconnect-timeout', args.kafkaReconnectTimeout ?? 60_000, 0, 3_600_000),
    fetchBytes:
      args.kafkaFetchBytes === undefined
        ? undefined
        : integerFlag('kafka-fetch-bytes', args.kafkaFetchBytes, 1024, 1 << 30),
  };
}

/** One line for a partition taken over: where it resumes, and how its alert file was cut back. */
function describeTakeover({
  partition,
  checkpoint,
  committedOffset,
  file,
  fellBack,
}: TakeoverReport): string {
  const cut =
    file === undefined
      ? ''
      : file.from === file.to
        ? `; alerts file kept at ${file.to} bytes`
        : `; alerts file cut from ${file.from} to ${file.to} bytes`;
  if (checkpoint !== undefined) {
    const which = fellBack
      ? 'its previous checkpoint (the newest claims more of the alerts file than it holds)'
      : 'its checkpoint';
    return `partition ${partition}: resuming from ${which} at offset ${checkpoint.offset} (${checkpoint.events} events, ${checkpoint.keyed.keys.length} live addresses, written by ${checkpoint.writer})${cut}`;
  }
  const from =
    committedOffset !== undefined && committedOffset >= 0
      ? `the group's offset ${committedOffset}`
      : 'its first offset';
  return `partition ${partition}: no checkpoint yet, reading from ${from}${cut}`;
}

function takeoverFields({ partition, checkpoint, file }: TakeoverReport): Record<string, unknown> {
  return {
    partition,
    offset: checkpoint?.offset ?? null,
    liveAddresses: checkpoint?.keyed.keys.length ?? 0,
    ...(file === undefined ? {} : { fileBytesBefore: file.from, fileBytesAfter: file.to }),
  };
}

/**
 * What makes partition checkpoints usable by a run: the same topic, group, record format, machine
 * and alert format. Worker and partition counts may differ (state is re-hashed on restore).
 */
function kafkaJobIdentity(plan: KafkaRunPlan, machine: string, alertFormat: AlertFormat): string {
  return `kafka topic ${plan.topic} group ${plan.group} values ${plan.format}, ${machine}, alerts ${alertFormat}`;
}

function openCheckpointStore(dir: string, job: string): PartitionCheckpointStore {
  try {
    return new PartitionCheckpointStore(dir, job);
  } catch (error) {
    throw new CliError(isStatecraftError(error) ? error.message : String(error), ExitCode.cannotWrite);
  }
}

function createDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot write ${dir}: ${describeFsError(error)}`, ExitCode.cannotWrite);
  }
}

/** --strict: the first bad record ends the job (exit 65), named by topic, partition and offset. */
function rejectStrictly(topic: string, record: KafkaRejectedRecord): never {
  throw new StatecraftError(
    'BAD_RECORD',
    `topic ${topic} partition ${record.partition} offset ${record.offset}: ${REJECT_DESCRIPTIONS[record.reason]}`,
  );
}

/** With --until-end: ends the source once the whole group has committed the range's end. */
function watchForEnd(
  source: KafkaSource,
  admin: ClusterAdmin,
  plan: KafkaRunPlan,
  range: TopicOffsets,
  signal: AbortSignal,
): void {
  waitForGroupEnd({
    admin,
    groupId: plan.group,
    topic: plan.topic,
    range,
    signal,
    toleranceMs: plan.reconnectMs,
  }).then(
    (reached) => {
      if (reached) source.finish();
    },
    (error: unknown) => source.fail(error),
  );
}

function kafkaRunStats(
  summary: JobSummary,
  source: KafkaSource,
  plan: KafkaRunPlan,
  run: { machine: string; load: Pick<RunStats, 'keyGroupSkew' | 'workerBusy'> },
  reachedEnd: boolean,
): RunStats & { kafka: KafkaRunStats } {
  const partitions: PartitionStats[] = source.partitionStats;
  return {
    ...runStatsOf(summary, {
      rejectedByReason: source.rejects,
      machine: run.machine,
      source: `kafka:${plan.topic}`,
      load: run.load,
    }),
    kafka: { topic: plan.topic, group: plan.group, partitions, reachedEnd },
  };
}
