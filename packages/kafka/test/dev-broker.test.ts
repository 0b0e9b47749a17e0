import { spawn } from 'node:child_process';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { brokerBinary } from '../../../scripts/broker/broker.js';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { bootstrap, uniqueGroup } from './helpers.js';

function kafka(): Kafka {
  return new Kafka({ brokers: [bootstrap()], clientId: 'dev-broker-test', logLevel: logLevel.NOTHING });
}

/** Runs the broker binary with `args`; sends `signal` once it printed its bootstrap line (if it does). */
async function runBroker(args: readonly string[], signal?: NodeJS.Signals) {
  const child = spawn(await brokerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    if (signal !== undefined && stdout.includes('\n')) child.kill(signal);
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const code = await new Promise<number | null>((resolve) =>
    child.on('exit', (exitCode) => resolve(exitCode)),
  );
  return { code, stdout, stderr };
}

describe('the development broker (statecraft-broker)', () => {
  it('prints its bootstrap address, then exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const result = await runBroker(['--topic', 'a:2'], signal);
      expect(result.stdout).toMatch(/^BOOTSTRAP=127\.0\.0\.1:\d+\n$/);
      expect(result.code, signal).toBe(0);
    }
  });

  it('refuses a malformed --topic with exit code 2 and a one-line reason', async () => {
    const result = await runBroker(['--topic', 'events']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--topic events is not name:partitions/);
    expect(result.stdout).toBe('');
  });

  it('serves the topics it was started with, with their partition counts', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [TEST_TOPICS.groupHandOver.name] });
      expect(topics[0]?.partitions).toHaveLength(TEST_TOPICS.groupHandOver.partitions);
    } finally {
      await admin.disconnect();
    }
  });

  it('names a controller that exists (patched), so that an idempotent producer connects', async () => {
    const client = kafka();
    const admin = client.admin();
    await admin.connect();
    const { controller, brokers } = await admin.describeCluster();
    await admin.disconnect();
    expect(brokers.map((b) => b.nodeId)).toContain(controller);
    const producer = client.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    await producer.disconnect();
  });

  it('gives both of two consumers that join a group together their assignment (SyncGroup patched)', async () => {
    for (let round = 0; round < 3; round++) {
      const group = uniqueGroup('sync');
      const consumers = [0, 1].map(() =>
        kafka().consumer({
          groupId: group,
          sessionTimeout: 6000,
          heartbeatInterval: 300,
          maxWaitTimeInMs: 250,
        }),
      );
      try {
        const assignments = await Promise.all(
          consumers.map(async (consumer) => {
            await consumer.connect();
            await consumer.subscribe({ topic: TEST_TOPICS.groupHandOver.name });
            const crashed = new Promise<never>((_, reject) =>
              consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error)),
            );
            const joined = new Promise<number[]>((resolve) =>
              consumer.on(consumer.events.GROUP_JOIN, (e) => {
                const partitions = e.payload.memberAssignment[TEST_TOPICS.groupHandOver.name] ?? [];
                if (partitions.length > 0 && partitions.length < 4) resolve(partitions);
              }),
            );
            await consumer.run({ eachBatch: async () => undefined });
            return Promise.race([joined, crashed]);
          }),
        );
        expect(assignments.flat().sort(), `round ${round}`).toEqual([0, 1, 2, 3]);
      } finally {
        await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      }
    }
  });
});
