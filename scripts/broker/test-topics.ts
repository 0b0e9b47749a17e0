/**
 * Topics of the broker the Kafka tests share, created when it starts. Each test file reads and
 * writes only its own topics.
 */
export const TEST_TOPICS = {
  /** packages/kafka: source decoding, rebalances, sinks, the producer helper. */
  sourceFlink: { name: 'source-flink', partitions: 3 },
  sinkAlerts: { name: 'sink-alerts', partitions: 2 },
  producerEvents: { name: 'producer-events', partitions: 4 },
  groupHandOver: { name: 'group-hand-over', partitions: 4 },
  columnarProducer: { name: 'columnar-producer', partitions: 5 },
  fetchDecoding: { name: 'fetch-decoding', partitions: 2 },
  /** packages/cli: produce → run. */
  roundTrip: { name: 'round-trip', partitions: 4 },
  roundTripAlerts: { name: 'round-trip-alerts', partitions: 3 },
  flinkIn: { name: 'flink-in', partitions: 2 },
  flinkOut: { name: 'flink-out', partitions: 4 },
  interrupt: { name: 'interrupt', partitions: 4 },
  stateMoves: { name: 'state-moves', partitions: 4 },
  deadLetters: { name: 'dead-letters', partitions: 2 },
  exactlyOnceEvents: { name: 'exactly-once-events', partitions: 4 },
  exactlyOnceAlerts: { name: 'exactly-once-alerts', partitions: 4 },
  /** examples: kafka-job.ts. */
  exampleEvents: { name: 'example-events', partitions: 4 },
  exampleAlerts: { name: 'example-alerts', partitions: 4 },
} as const;

/** The broker's `--topic name:partitions` list. */
export function testTopicSpecs(): string[] {
  return Object.values(TEST_TOPICS).map(({ name, partitions }) => `${name}:${partitions}`);
}
