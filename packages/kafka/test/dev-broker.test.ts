import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../scripts/broker/broker.js';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { bootstrap } from './helpers.js';

const BROKER_CLI = fileURLToPath(new URL('../../../scripts/broker/cli.ts', import.meta.url));

function kafka(brokers = bootstrap()): Kafka {
  return new Kafka({ brokers: [brokers], clientId: 'dev-broker-test', logLevel: logLevel.NOTHING });
}

/** Runs `pnpm broker`'s script with `args`; sends `signal` once it printed its bootstrap line (if it does). */
async function runBrokerCli(args: readonly string[], signal?: NodeJS.Signals) {
  const child = spawn(process.execPath, ['--import', 'tsx', BROKER_CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the development broker (Apache Kafka, KRaft, one node)', () => {
  it('pnpm broker prints its bootstrap address, then stops the broker and removes its data on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const result = await runBrokerCli(['--topic', 'a:2'], signal);
      expect(result.stdout).toMatch(/^BOOTSTRAP=127\.0\.0\.1:\d+\n$/);
      expect(result.code, `${signal}: ${result.stderr}`).toBe(0);
      const dataDir = /data and log in (\S+)/.exec(result.stderr)?.[1];
      expect(dataDir).toBeDefined();
      expect(existsSync(dataDir!)).toBe(false);
    }
  });

  it('pnpm broker refuses a malformed --topic with exit code 2 and a one-line reason', async () => {
    const result = await runBrokerCli(['--topic', 'events']);
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

  it('keeps its topics and records when killed -9 and restarted on the same data', async () => {
    const broker = await startBroker({ topics: ['kept:2'] });
    try {
      const producer = kafka(broker.bootstrap).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      await producer.send({
        topic: 'kept',
        acks: -1,
        messages: [{ partition: 1, value: 'before the crash' }],
      });
      await producer.disconnect();
      const firstPid = broker.pid;
      await broker.kill();
      expect(alive(firstPid)).toBe(false);
      await broker.restart();
      expect(broker.pid).not.toBe(firstPid);
      const admin = kafka(broker.bootstrap).admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets('kept');
      await admin.disconnect();
      expect(offsets.find((o) => o.partition === 1)?.high).toBe('1');
    } finally {
      const pid = broker.pid;
      await broker.stop();
      expect(alive(pid)).toBe(false);
      expect(existsSync(broker.dataDir)).toBe(false);
    }
  });
});
