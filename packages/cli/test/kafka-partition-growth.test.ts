import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceKafka } from '../../kafka/test/wire-group-helpers.js';
import { assertBuilt, collect, EXIT, parseSummary, runCli, startCli, useTempDir } from './helpers.js';
import { bootstrap, FAST, testClient, uniqueGroup } from './kafka-helpers.js';

const TOPIC = uniqueGroup('growth');
const EVENTS = 40_000;

const dir = useTempDir();

async function produce(seed: number): Promise<void> {
  const produced = await runCli([
    'produce',
    ...['--brokers', bootstrap(), '--topic', TOPIC],
    ...['--events', String(EVENTS), '--seed', String(seed), '--error-rate', '0.01', '--quiet'],
  ]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
}

/** Each partition's end offset, read with kafkajs (the reference client). */
async function endOffsets(): Promise<number[]> {
  const admin = referenceKafka().admin();
  await admin.connect();
  try {
    const ends: number[] = [];
    for (const { partition, high } of await admin.fetchTopicOffsets(TOPIC)) ends[partition] = Number(high);
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group committed every partition's end (it read the whole topic), at most 60 s. */
async function untilAllCommitted(group: string, running: () => boolean): Promise<void> {
  const admin = testClient().admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && running()) {
      const [ends, committed] = await Promise.all([endOffsets(), admin.committedOffsets(group, TOPIC)]);
      if (ends.length === committed.length && ends.every((end, partition) => committed[partition] === end))
        return;
      await sleep(200);
    }
    throw new Error(`group ${group} did not commit the end of every partition of ${TOPIC}`);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  assertBuilt();
  const admin = testClient().admin();
  await admin.connect();
  try {
    await admin.createTopics([{ name: TOPIC, partitions: 2 }]);
  } finally {
    await admin.disconnect();
  }
  await produce(3);
});

describe('run --brokers while partitions are added to its topic', () => {
  it('reads the new partitions once its group leader sees them (--kafka-metadata-max-age), writing their files', async () => {
    const group = uniqueGroup('growth');
    const outDir = join(dir(), 'alerts');
    const child = startCli([
      'run',
      ...['--brokers', bootstrap(), '--topic', TOPIC, '--group', group, ...FAST],
      ...['--kafka-metadata-max-age', '1000', '--workers', '1', '--output-dir', outDir],
    ]);
    const done = collect(child, { timeoutMs: 120_000 });
    await untilAllCommitted(group, () => child.exitCode === null);
    expect(existsSync(join(outDir, 'partition-2.txt'))).toBe(false);

    const admin = referenceKafka().admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 4 }] });
    } finally {
      await admin.disconnect();
    }
    await produce(4); // keyed by address: now over all four partitions
    const ends = await endOffsets();
    expect(ends).toHaveLength(4);
    expect(ends[2]).toBeGreaterThan(0);
    expect(ends[3]).toBeGreaterThan(0);
    await untilAllCommitted(group, () => child.exitCode === null);

    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(EXIT.interrupted);
    expect(parseSummary(result.stderr)?.events).toBe(2 * EVENTS);
    for (const partition of [0, 1, 2, 3])
      expect(existsSync(join(outDir, `partition-${partition}.txt`))).toBe(true);
  }, 150_000);
});
