import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaJars } from '../../../scripts/broker/kafka-jars.js';
import type { WireGroupConsumer } from '../src/client/wire-group-consumer.js';
import { bootstrap, produceRaw, uniqueGroup } from './helpers.js';
import { RecordingListener, referenceTopic, until, wireConsumer } from './wire-group-helpers.js';

const LOG4J_CONFIG = fileURLToPath(new URL('../../../scripts/broker/log4j2.properties', import.meta.url));
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

interface JavaMember {
  /** The partitions of the records it printed. */
  partitions: Set<number>;
  records: number;
}

/**
 * Apache Kafka's own Java consumer (ConsoleConsumer, classic group protocol, its default
 * assignors: range, then cooperative-sticky) in the group, printing each record's partition.
 */
async function javaMember(groupId: string, topic: string): Promise<JavaMember> {
  const classpath = `${await kafkaJars()}/*`;
  // The broker's log4j configuration, writing to a file of this consumer's own.
  const logFile = join(tmpdir(), `statecraft-wire-java-${process.pid}-${Date.now()}.log`);
  const consumer: ChildProcess = spawn(
    'java',
    [
      ...['-Xmx256m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`],
      `-Dstatecraft.broker.log=${logFile}`,
      ...['-cp', classpath, 'org.apache.kafka.tools.consumer.ConsoleConsumer'],
      ...['--bootstrap-server', bootstrap(), '--topic', topic, '--group', groupId, '--from-beginning'],
      ...['--property', 'print.partition=true', '--property', 'print.value=false'],
      ...['--consumer-property', 'group.protocol=classic', '--consumer-property', 'enable.auto.commit=false'],
      ...[
        '--consumer-property',
        'session.timeout.ms=6000',
        '--consumer-property',
        'heartbeat.interval.ms=300',
      ],
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = new Promise((resolve) => consumer.once('exit', resolve));
  stops.push(async () => {
    consumer.kill('SIGTERM');
    await exited;
    await rm(logFile, { force: true });
  });
  const member: JavaMember = { partitions: new Set(), records: 0 };
  let pending = '';
  consumer.stdout?.on('data', (data: Buffer) => {
    const lines = (pending + data.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /Partition:(\d+)/.exec(line);
      if (match === null) continue;
      member.partitions.add(Number(match[1]));
      member.records++;
    }
  });
  return member;
}

async function wireMember(groupId: string, topic: string): Promise<RecordingListener> {
  const consumer: WireGroupConsumer = wireConsumer(groupId, topic);
  const listener = new RecordingListener();
  stops.push(() => consumer.stop());
  await consumer.start(listener);
  return listener;
}

async function fourPartitionTopic(name: string): Promise<string> {
  const topic = await referenceTopic(name, 4);
  await produceRaw(
    topic,
    Array.from({ length: 20 }, (_, i) => ({ partition: i % 4, value: `v${i}` })),
  );
  return topic;
}

describe("a wire member and Apache Kafka's Java consumer in one group (range, the protocol both prefer)", () => {
  it('the wire leader assigns by range: the Java member, whose id sorts first, reads partitions 0 and 1', async () => {
    const topic = await fourPartitionTopic('wire-java-wire-leads');
    const groupId = uniqueGroup('wire-java');
    const wire = await wireMember(groupId, topic);
    expect(wire.partitions).toEqual([0, 1, 2, 3]);
    const java = await javaMember(groupId, topic);
    await until('the wire member has two partitions', () => wire.partitions?.length === 2, 40_000);
    // Java's member ids start with its client id, "console-consumer-...", before "statecraft-...".
    expect(wire.partitions).toEqual([2, 3]);
    await until('the Java member read its partitions', () => java.records >= 10, 40_000);
    expect([...java.partitions].sort()).toEqual([0, 1]);
  }, 90_000);

  it("the Java leader assigns by range, and the wire member decodes its assignment (Java's version 3)", async () => {
    const topic = await fourPartitionTopic('wire-java-java-leads');
    const groupId = uniqueGroup('wire-java');
    const java = await javaMember(groupId, topic);
    await until('the Java member read every partition', () => java.records >= 20, 40_000);
    const wire = await wireMember(groupId, topic);
    expect(wire.partitions).toEqual([2, 3]);
    await until('the wire member read its partitions', () => wire.records >= 10);
    expect([...wire.offsets.keys()].sort()).toEqual([2, 3]);
  }, 90_000);
});
