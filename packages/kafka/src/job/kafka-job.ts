import { hostname } from 'node:os';
import {
  type JobState,
  loadCheckpointCodec,
  type OutputSink,
  runJob,
  toOperatorSpec,
} from '@statecraft/engine';
import { PartitionCheckpointStore } from '../checkpoint/partition-checkpoint-store.js';
import { PartitionCheckpointer } from '../checkpoint/partition-checkpointer.js';
import type { ClusterAdmin, TopicOffsets } from '../client/client.js';
import { createKafkaClient } from '../client/wire-client.js';
import { PartitionTransactions } from '../exactly-once/partition-transactions.js';
import { AlertTopicSink } from '../sinks/alert-topic-sink.js';
import { kafkaJobSink } from '../sinks/kafka-job-sink.js';
import { PartitionFilesSink } from '../sinks/partition-files-sink.js';
import { ChunkLedger } from '../source/chunk-ledger.js';
import { waitForGroupEnd } from '../source/group-end.js';
import { GroupMembership } from '../source/group-membership.js';
import { KafkaSource } from '../source/kafka-source.js';
import type { PartitionStats } from '../source/partition-assignment.js';
import { connectCluster } from './connect-cluster.js';
import {
  type KafkaJobConfig,
  type KafkaJobPlan,
  type KafkaJobSummary,
  planKafkaJob,
} from './kafka-job-config.js';
import { Resources } from './resources.js';
import { StartUp } from './start-up.js';
import { describeTakeover, takeoverFields } from './takeover-log.js';

/** A Kafka job created by `createKafkaJob`: run it once, stop it gracefully. */
export interface KafkaJob {
  /**
   * Joins the group and runs until stopped (or, with `untilEnd`, until the group has committed the
   * end offsets). Resolves with the summary once every output is written and committed; rejects
   * with a StatecraftError (`KAFKA_*`, `SINK_FAILED`, `CHECKPOINT_*`, `BAD_RECORD`, ...) after
   * closing its connections and workers.
   */
  run(): Promise<KafkaJobSummary>;
  /**
   * Stops gracefully: no more records are read; what was read is processed, written, checkpointed
   * and committed, and `run()` resolves with `interrupted: true`.
   */
  stop(): void;
  readonly state: JobState;
  /** What each partition this process has read contributed so far. */
  readonly partitions: readonly PartitionStats[];
}

/**
 * A keyed operator over a consumer group's share of a Kafka topic, as Kafka Streams runs a
 * topology: partitions are assigned and moved by the group, each partition's state moves with it
 * (through `state`), outputs go to `alertsTopic`, per-partition files or any sinks, with the
 * guarantee asked for. Several processes (on several machines) with the same `group` share the
 * work; a process that dies is replaced by the others.
 */
export function createKafkaJob(config: KafkaJobConfig): KafkaJob {
  return new KafkaJobRun(planKafkaJob(config));
}

class KafkaJobRun implements KafkaJob {
  private readonly controller = new AbortController();
  private running: Promise<KafkaJobSummary> | undefined;
  private current: JobState = 'ready';
  private source: KafkaSource | undefined;

  constructor(private readonly plan: KafkaJobPlan) {}

  get state(): JobState {
    return this.current;
  }

  get partitions(): readonly PartitionStats[] {
    return this.source?.partitionStats ?? [];
  }

  run(): Promise<KafkaJobSummary> {
    this.running ??= this.execute().then(
      (summary) => {
        this.current = 'done';
        return summary;
      },
      (error: unknown) => {
        this.current = 'failed';
        throw error;
      },
    );
    return this.running;
  }

  stop(): void {
    if (this.current === 'running') this.current = 'stopping';
    this.controller.abort();
  }

  private async execute(): Promise<KafkaJobSummary> {
    const { plan } = this;
    this.current = this.controller.signal.aborted ? 'stopping' : 'running';
    const signal =
      plan.signal === undefined
        ? this.controller.signal
        : AbortSignal.any([plan.signal, this.controller.signal]);
    signal.addEventListener('abort', () => {
      if (this.current === 'running') this.current = 'stopping';
    });
    const resources = new Resources();
    const stopWatching = new AbortController();
    try {
      // Partition checkpoints (in a directory or a state topic) are framed with msgpack.
      if (plan.state !== undefined) await loadCheckpointCodec();
      // Local things first: a directory that cannot be written fails before anything connects.
      const directoryStore =
        plan.state !== undefined && 'dir' in plan.state
          ? new PartitionCheckpointStore(plan.state.dir, plan.identity)
          : undefined;
      const membership = new GroupMembership();
      const ledger = new ChunkLedger();
      const partitionFiles =
        plan.outputDir === undefined
          ? undefined
          : new PartitionFilesSink(
              plan.outputDir.dir,
              plan.outputDir.extension,
              plan.alertText!,
              ledger,
              membership,
            );
      await partitionFiles?.open();
      const client = createKafkaClient({
        brokers: [...plan.brokers],
        clientId: plan.clientId,
        timeoutMs: plan.timeoutMs,
        reconnectMs: plan.reconnectMs,
        debug: Boolean(process.env.STATECRAFT_DEBUG),
        onConnection: (event) => {
          if (event.lost) {
            plan.log?.warn(
              `lost Kafka at ${plan.brokers.join(',')}; reconnecting for up to ${plan.reconnectMs / 1000} s`,
            );
          } else {
            plan.log?.info(`back in group ${plan.group} after ${(event.afterMs / 1000).toFixed(1)} s`);
          }
        },
      });
      const transactions =
        plan.guarantee === 'exactly-once'
          ? new PartitionTransactions({
              client,
              groupId: plan.group,
              topic: plan.topic,
              transactionalIdPrefix: `statecraft-${plan.group}-${plan.topic}`,
            })
          : undefined;
      if (transactions !== undefined) resources.add(() => transactions.close());

      const startUp = new StartUp(plan.brokers, plan.timeoutMs);
      const admin = client.admin();
      resources.add(() => admin.disconnect());
      const { range, store, alertsProducer } = await startUp.run(
        connectCluster(plan, client, admin, resources, directoryStore),
      );

      const checkpoints =
        store === undefined
          ? undefined
          : new PartitionCheckpointer({
              store,
              job: store.job,
              topic: plan.topic,
              interval: plan.checkpointInterval,
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
                  plan.log?.warn(`${reason}; using the previous checkpoint`);
                plan.log?.info(describeTakeover(takeover), takeoverFields(takeover));
              },
            });
      const consumer = client.consumer({
        groupId: plan.group,
        topic: plan.topic,
        sessionTimeoutMs: plan.sessionTimeoutMs,
        heartbeatIntervalMs: plan.heartbeatIntervalMs,
        maxWaitMs: Math.min(plan.heartbeatIntervalMs, 500),
        ...(plan.fetchBytes === undefined ? {} : { maxBytesPerPartition: plan.fetchBytes }),
        metadataMaxAgeMs: plan.metadataMaxAgeMs,
        fromBeginning: true,
      });
      const source = new KafkaSource({
        consumer,
        format: plan.values,
        eventNames: plan.eventNames,
        ...(range === undefined ? {} : { endOffsets: range.end }),
        heartbeatIntervalMs: plan.heartbeatIntervalMs,
        signal,
        ledger,
        membership,
        ...(checkpoints === undefined ? {} : { checkpoints }),
        ...(plan.onReject === undefined ? {} : { onReject: plan.onReject }),
      });
      this.source = source;
      resources.add(() => consumer.stop());
      startUp.waitingFor(`join group ${plan.group} on`);
      await startUp.run(source.start());
      if (range !== undefined) this.watchForEnd(source, admin, range, stopWatching.signal);

      const outputs: OutputSink[] = [...(plan.sinks ?? [])];
      if (partitionFiles !== undefined) outputs.push(partitionFiles);
      if (alertsProducer !== undefined && plan.alertsTopic !== undefined) {
        const text = plan.alertText!;
        outputs.push(
          new AlertTopicSink(
            alertsProducer,
            plan.alertsTopic,
            plan.topic,
            (columns) => text.format(columns),
            ledger,
            transactions,
          ),
        );
      }
      // The source ends itself on the signal, after its last checkpoints: the job reads it to the end.
      const summary = await runJob({
        source,
        operator: toOperatorSpec(plan.operator),
        sink: kafkaJobSink(outputs, source),
        workers: plan.workers,
        partitions: plan.partitions,
        onMetrics: plan.onMetrics,
      });
      await source.drain();
      const interrupted = signal.aborted;
      return {
        ...summary,
        interrupted,
        ...(checkpoints === undefined ? {} : { checkpoints: checkpoints.stats }),
        kafka: {
          topic: plan.topic,
          group: plan.group,
          partitions: source.partitionStats,
          reachedEnd: range !== undefined && !interrupted,
          rejects: source.rejects,
        },
      };
    } finally {
      stopWatching.abort();
      await resources.closeAll();
    }
  }

  /** With untilEnd: ends the source once the whole group has committed the range's end. */
  private watchForEnd(
    source: KafkaSource,
    admin: ClusterAdmin,
    range: TopicOffsets,
    signal: AbortSignal,
  ): void {
    waitForGroupEnd({
      admin,
      groupId: this.plan.group,
      topic: this.plan.topic,
      range,
      signal,
      toleranceMs: this.plan.reconnectMs,
    }).then(
      (reached) => {
        if (reached) source.finish();
      },
      (error: unknown) => source.fail(error),
    );
  }
}
