import { Kafka, logLevel } from 'kafkajs';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic configuration, e.g. `{ 'cleanup.policy': 'compact' }`. */
  config?: Readonly<Record<string, string>>;
}

/** Reads `name:partitions` (partitions a positive integer). */
export function parseTopicSpec(text: string): TopicSpec {
  const match = /^([A-Za-z0-9._-]+):([1-9]\d*)$/.exec(text);
  if (match === null) throw new TopicSpecError(`${text} is not name:partitions (e.g. events:4)`);
  return { name: match[1]!, partitions: Number(match[2]) };
}

export class TopicSpecError extends Error {}

const READY_TIMEOUT_MS = 60_000;

/**
 * Creates the topics (replication factor 1) and waits until the group coordinator serves: a
 * freshly started broker answers metadata before it has loaded its offsets topic, and a client
 * that joins a group then is told "the coordinator is loading". kafkajs, not the code under
 * test, so that the test broker does not depend on the client being tested.
 */
export async function prepareBroker(bootstrap: string, topics: readonly TopicSpec[]): Promise<void> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'statecraft-broker',
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (topics.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map(({ name, partitions, config }) => ({
          topic: name,
          numPartitions: partitions,
          configEntries: Object.entries(config ?? {}).map(([configName, value]) => ({
            name: configName,
            value,
          })),
        })),
      });
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        await admin.describeGroups(['statecraft-broker-ready']);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the group coordinator did not come up: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
