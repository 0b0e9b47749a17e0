import { mkdirSync } from 'node:fs';
import {
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
  type ClusterAdmin,
  createKafkaJsClient,
  type KafkaRejectedRecord,
  KafkaSource,
  kafkaJobSink,
  PartitionFilesSink,
  type PartitionStats,
  type RecordProducer,
  type TopicOffsets,
  waitForGroupEnd,
} from '@statecraft/kafka';
import { CliError, usageError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
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
import { resolveMachine } from '../machine-flag.js';
import { integerFlag } from '../options.js';
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
  const fileOutput =
    args.output !== undefined && args.output !== '-' ? new AlertFileSink(args.output, alerts) : undefined;
  await fileOutput?.open();
  if (args.outputDir !== undefined) createDirectory(args.outputDir);

  const client = createKafkaJsClient({
    brokers: plan.brokers,
    clientId: plan.clientId,
    timeoutMs: plan.timeoutMs,
    debug: Boolean(process.env.STATECRAFT_DEBUG),
  });
  const resources = new Resources();
  const abort = new AbortController();
  const stopWatching = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const startUp = new StartUp(plan.brokers, plan.timeoutMs);
    const admin = client.admin();
    resources.add(() => admin.disconnect());
    const { range, producer } = await startUp.run(
      (async () => {
        await admin.connect();
        await admin.partitionCount(plan.topic);
        const range = args.untilEnd ? await admin.topicOffsets(plan.topic) : undefined;
        let producer: RecordProducer | undefined;
        if (args.alertsTopic !== undefined) {
          await admin.partitionCount(args.alertsTopic);
          producer = client.producer();
          resources.add(() => producer!.disconnect());
          await producer.connect();
        }
        return { range, producer };
      })(),
    );

    const consumer = client.consumer({
      groupId: plan.group,
      topic: plan.topic,
      sessionTimeoutMs: plan.sessionTimeoutMs,
      heartbeatIntervalMs: plan.heartbeatIntervalMs,
      maxWaitMs: Math.min(plan.heartbeatIntervalMs, 500),
      fromBeginning: true,
    });
    const source = new KafkaSource({
      consumer,
      format: plan.format,
      eventNames: machine.eventNames,
      ...(range === undefined ? {} : { endOffsets: range.end }),
      heartbeatIntervalMs: plan.heartbeatIntervalMs,
      signal: abort.signal,
      ...(args.strict ? { onReject: (record) => rejectStrictly(plan.topic, record) } : {}),
    });
    resources.add(() => consumer.stop());
    startUp.waitingFor(`join group ${plan.group} on`);
    await startUp.run(source.start());
    if (range !== undefined) watchForEnd(source, admin, plan, range, stopWatching.signal);

    const outputs: OutputSink[] = [];
    if (fileOutput !== undefined) outputs.push(fileOutput);
    else if (args.output === '-' || (args.outputDir === undefined && args.alertsTopic === undefined)) {
      outputs.push(
        new TextStreamSink(process.stdout, {
          format: (columns) => alerts.format(columns),
          header: alerts.header(),
          name: 'stdout',
        }),
      );
    }
    if (args.outputDir !== undefined) {
      outputs.push(new PartitionFilesSink(args.outputDir, EXTENSIONS[args.format], alerts, source.ledger));
    }
    if (producer !== undefined && args.alertsTopic !== undefined) {
      const lines = (columns: OutputColumns) => alerts.format(columns);
      outputs.push(new AlertTopicSink(producer, args.alertsTopic, plan.topic, lines, source.ledger));
    }

    const summary = await runJob({
      source,
      operator: stateMachineOperator(machine),
      sink: kafkaJobSink(outputs, source),
      workers: plan.workers,
      partitions: plan.partitions,
      signal: abort.signal,
    });
    await source.drain();
    const stats = kafkaRunStats(
      summary,
      source,
      plan,
      machine.name,
      range !== undefined && !summary.interrupted,
    );
    if (args.stats !== undefined) writeStats(args.stats, stats);
    if (!args.quiet) process.stderr.write(formatSummary(stats) + formatKafkaSummary(stats.kafka));
    return summary.interrupted ? ExitCode.interrupted : ExitCode.ok;
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
}

/** Checks the flags of a Kafka run (usage errors, exit 2) before anything connects. */
function planKafkaRun(args: RunArgs): KafkaRunPlan {
  const context = 'reading Kafka';
  const brokers = brokerList(requiredFlag('brokers', args.brokers, context));
  const topic = requiredFlag('topic', args.topic, context);
  const group = requiredFlag('group', args.group, context);
  if (args.input !== undefined) throw usageError('--input and --brokers are two sources: give one');
  if (args.deadLetter !== undefined) {
    throw usageError(
      '--dead-letter is for file inputs; with Kafka the summary counts rejected records and --strict stops at the first',
    );
  }
  if (args.sourceParallelism !== undefined) {
    throw usageError(
      '--source-parallelism is for the generator and files; a Kafka source reads on one thread',
    );
  }
  if (args.alertsTopic === topic) throw usageError('--alerts-topic must not be the events topic');
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
  };
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
  waitForGroupEnd({ admin, groupId: plan.group, topic: plan.topic, range, signal }).then(
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
  machine: string,
  reachedEnd: boolean,
): RunStats & { kafka: KafkaRunStats } {
  const partitions: PartitionStats[] = source.partitionStats;
  return {
    ...runStatsOf(summary, {
      rejectedByReason: source.rejects,
      machine,
      source: `kafka:${plan.topic}`,
      // Kafka runs do not take the run monitor (yet): no load figures.
      load: { keyGroupSkew: 0, workerBusy: [] },
    }),
    kafka: { topic: plan.topic, group: plan.group, partitions, reachedEnd },
  };
}
