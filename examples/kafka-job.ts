// A Kafka job embedded in a program, as Kafka Streams runs a topology: the seed machine over a
// consumer group's share of a topic, each partition's state checkpointed into a compacted topic
// (any process of the group, on any machine, takes a partition over from there), the alerts sent
// to a topic and, typed, to this program. It first writes Flink's generator events into the
// (empty) events topic, then checks that the job's alerts are those of a local run of them.
//
//   pnpm broker --topic example-events:4 --topic example-alerts:4      # prints BOOTSTRAP=...
//   KAFKA_BROKERS=127.0.0.1:<port> pnpm kafka-job                       # in examples/
import assert from 'node:assert/strict';
import {
  type Alert,
  alertSink,
  compileMachine,
  createAlertFormatter,
  createMachineJob,
  fromGenerator,
  generateChunks,
  SEED_MACHINE,
  stateMachineOperator,
} from '@statecraft/fsm';
import { ColumnarProducer, createKafkaJob, produceEvents } from '@statecraft/kafka';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = process.env.EVENTS_TOPIC ?? 'example-events';
const alertsTopic = process.env.ALERTS_TOPIC ?? 'example-alerts';
const stream = { events: 200_000, seed: 7, errorRate: 0.001 };
const machine = compileMachine(SEED_MACHINE);

// Flink's generator events into the topic: one 8-byte record per event, keyed by its address.
const producer = new ColumnarProducer({ brokers, clientId: 'kafka-job-example', timeoutMs: 10_000 });
await producer.connect();
await produceEvents(generateChunks({ machine, ...stream }), {
  producer,
  topic,
  eventNames: machine.eventNames,
});
await producer.disconnect();

// The job. More processes started with the same group share the topic's partitions.
const fromKafka: Alert[] = [];
const job = createKafkaJob({
  brokers,
  topic,
  group: `kafka-job-example-${process.pid}`,
  operator: stateMachineOperator(machine),
  eventNames: machine.eventNames,
  state: { topic: `kafka-job-example-state-${process.pid}` }, // created (compacted) if missing
  checkpointInterval: { everyMs: 1000 },
  alertsTopic,
  alertText: createAlertFormatter(machine, 'text'),
  sinks: [alertSink(machine, (alerts) => void fromKafka.push(...alerts))],
  untilEnd: true, // stop once the group has read what the topic held at start
  workers: 2,
});
process.once('SIGINT', () => job.stop());
const summary = await job.run();
assert.equal(summary.events, stream.events, `${topic} must hold only this run's events: use empty topics`);

// The same events run here, without Kafka: the same alerts, and each address's in the same order.
const local: Alert[] = [];
await createMachineJob({
  machine,
  source: fromGenerator(stream),
  onAlerts: (alerts) => void local.push(...alerts),
  workers: 0,
}).run();
const byAddress = (alerts: Alert[]) => {
  const map = new Map<string, string[]>();
  for (const { address, state, event } of alerts)
    map.set(address, [...(map.get(address) ?? []), `${state} ${event}`]);
  return new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
};
assert.ok(local.length > 0, 'an error rate of 0.1% gives alerts');
assert.deepEqual(byAddress(fromKafka), byAddress(local));
console.log(
  `kafka-job: ${summary.events} events from ${summary.kafka.partitions.length} partitions, ${fromKafka.length} alerts, as a local run: ok`,
);
