import { InvalidJobOptionsError } from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import { createKafkaJob } from '../src/job/kafka-job.js';
import { type KafkaJobConfig, planKafkaJob } from '../src/job/kafka-job-config.js';

const BASE: KafkaJobConfig = {
  brokers: ['127.0.0.1:9092'],
  topic: 'events',
  group: 'detectors',
  operator: { module: new URL('file:///operator.js') },
  eventNames: ['a', 'b'],
};
const TEXT = { format: () => '', header: () => '' };

describe('a Kafka job config', () => {
  it.each<[string, Partial<KafkaJobConfig>, RegExp]>([
    ['no broker', { brokers: [] }, /^brokers: give at least one host:port$/],
    ['no group', { group: '' }, /^group is required$/],
    [
      'an unknown value format',
      { values: 'xml' as never },
      /^values: xml is not csv, ndjson or flink-binary$/,
    ],
    ['alerts into the events topic', { alertsTopic: 'events', alertText: TEXT }, /^alertsTopic must not be/],
    [
      'state in the alerts topic',
      { alertsTopic: 'a', alertText: TEXT, state: { topic: 'a' } },
      /^state.topic must be a topic of its own$/,
    ],
    ['an alerts topic without alertText', { alertsTopic: 'alerts' }, /need alertText/],
    [
      'exactly-once without a state topic',
      { guarantee: 'exactly-once', alertsTopic: 'a', alertText: TEXT },
      /^exactly-once needs alertsTopic and state: \{ topic \}/,
    ],
    [
      'exactly-once with a sink',
      {
        guarantee: 'exactly-once',
        alertsTopic: 'a',
        alertText: TEXT,
        state: { topic: 's' },
        sinks: [{ write: async () => undefined }],
      },
      /cannot join a Kafka transaction$/,
    ],
    [
      'an unknown guarantee',
      { guarantee: 'at-most-once' as never },
      /^guarantee must be at-least-once or exactly-once, got at-most-once$/,
    ],
    [
      'a zero session timeout',
      { sessionTimeoutMs: 0 },
      /^sessionTimeoutMs must be a positive integer, got 0$/,
    ],
    [
      'an empty checkpoint interval',
      { checkpointInterval: {} },
      /^checkpointInterval needs everyEvents or everyMs$/,
    ],
  ])('refuses %s with an InvalidJobOptionsError naming the option', (_what, change, message) => {
    const attempt = () => createKafkaJob({ ...BASE, ...change });
    expect(attempt).toThrow(InvalidJobOptionsError);
    expect(attempt).toThrow(message);
  });

  it('applies the defaults, and checkpoints of a job are identified by topic, group, value format and stateIdentity', () => {
    const plan = planKafkaJob({ ...BASE, stateIdentity: 'machine seed#abc, alerts text' });
    expect(plan).toMatchObject({
      values: 'flink-binary',
      guarantee: 'at-least-once',
      checkpointInterval: { everyMs: 10_000 },
      clientId: 'statecraft',
      timeoutMs: 10_000,
      reconnectMs: 60_000,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3000,
    });
    expect(plan.identity).toBe(
      'kafka topic events group detectors values flink-binary, machine seed#abc, alerts text',
    );
    expect(planKafkaJob({ ...BASE, values: 'csv', sessionTimeoutMs: 2000 })).toMatchObject({
      identity: 'kafka topic events group detectors values csv',
      heartbeatIntervalMs: 200,
    });
  });

  it('a job that cannot reach Kafka fails within timeoutMs, naming the brokers; its state says so', async () => {
    const job = createKafkaJob({ ...BASE, brokers: ['127.0.0.1:1'], timeoutMs: 500 });
    expect(job.state).toBe('ready');
    expect(job.partitions).toEqual([]);
    await expect(job.run()).rejects.toThrow(/Kafka at 127\.0\.0\.1:1/);
    expect(job.state).toBe('failed');
  });
});
