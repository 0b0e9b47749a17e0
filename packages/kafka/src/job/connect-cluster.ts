import { CachedCheckpointStore } from '../checkpoint/cached-checkpoint-store.js';
import { KafkaCheckpointStore } from '../checkpoint/kafka-checkpoint-store.js';
import type { CheckpointStore } from '../checkpoint/partition-checkpoint-store.js';
import type { ClusterAdmin, KafkaClient, TopicOffsets } from '../client/client.js';
import { ColumnarProducer } from '../wire/columnar-producer.js';
import type { KafkaJobPlan } from './kafka-job-config.js';
import type { Resources } from './resources.js';

/**
 * Reaches the cluster before the job joins its group: the topics exist, the end offsets (untilEnd),
 * the alerts producer, the state topic. What it opens is closed with `resources`.
 */
export async function connectCluster(
  plan: KafkaJobPlan,
  client: KafkaClient,
  admin: ClusterAdmin,
  resources: Resources,
  directoryStore: CheckpointStore | undefined,
): Promise<{
  range: TopicOffsets | undefined;
  store: CheckpointStore | undefined;
  alertsProducer: ReturnType<KafkaClient['producer']> | undefined;
}> {
  await admin.connect();
  const topicPartitions = await admin.partitionCount(plan.topic);
  const range = plan.untilEnd ? await admin.topicOffsets(plan.topic) : undefined;
  let alertsProducer: ReturnType<KafkaClient['producer']> | undefined;
  if (plan.alertsTopic !== undefined) {
    await admin.partitionCount(plan.alertsTopic);
    const producer = client.producer();
    alertsProducer = producer;
    resources.add(() => producer.disconnect());
    await producer.connect();
  }
  let store: CheckpointStore | undefined = directoryStore;
  if (plan.state !== undefined && 'topic' in plan.state) {
    const stateProducer = new ColumnarProducer({
      brokers: [...plan.brokers],
      clientId: plan.clientId,
      // Its sends ride out a broker restarting (start-up is bounded by timeoutMs).
      timeoutMs: plan.reconnectMs,
    });
    resources.add(() => stateProducer.disconnect());
    const kafkaStore = new KafkaCheckpointStore({
      brokers: [...plan.brokers],
      clientId: plan.clientId,
      timeoutMs: plan.timeoutMs,
      stateTopic: plan.state.topic,
      job: plan.identity,
      producer: stateProducer,
      admin,
    });
    const { created } = await kafkaStore.prepare(topicPartitions);
    if (created) {
      plan.log?.info(`created state topic ${plan.state.topic} (${topicPartitions} partitions, compacted)`);
    }
    store =
      plan.state.cacheDir === undefined
        ? kafkaStore
        : new CachedCheckpointStore(kafkaStore, plan.state.cacheDir);
  }
  return { range, store, alertsProducer };
}
