import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { assertBuilt, EXIT, linesOf, parseAlerts, parseSummary, runCli, useTempDir } from './helpers.js';
import {
  bootstrap,
  FAST,
  fileRunAlerts,
  multiset,
  perAddress,
  readRaw,
  uniqueGroup,
} from './kafka-helpers.js';

const EVENTS = 60_000;
const STREAM = ['--events', String(EVENTS), '--seed', '42', '--error-rate', '0.02'];
const TOPIC = TEST_TOPICS.roundTrip.name;
const ALERTS_TOPIC = TEST_TOPICS.roundTripAlerts.name;

const dir = useTempDir();
/** The alerts of `run --input` over `generate`'s file of the same stream: the reference. */
let reference: string;

function kafkaRun(group: string, ...args: string[]) {
  return runCli([
    'run',
    '--brokers',
    bootstrap(),
    '--topic',
    TOPIC,
    '--group',
    group,
    '--until-end',
    ...FAST,
    ...args,
  ]);
}

beforeAll(async () => {
  assertBuilt();
  const produced = await runCli(['produce', '--brokers', bootstrap(), '--topic', TOPIC, ...STREAM]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
  expect(linesOf(produced.stderr).at(-1)).toMatch(
    new RegExp(`^produced 60,000 events into topic ${TOPIC} \\(4 partitions, flink-binary\\) in [\\d.]+ s`),
  );
  reference = await fileRunAlerts(dir(), STREAM);
  expect(linesOf(reference).length).toBeGreaterThan(100);
});

describe('produce, then run --until-end', () => {
  it("gives the file run's alerts: the same multiset, each address's alerts in the same order", async () => {
    const result = await kafkaRun(uniqueGroup('round-trip'), '--workers', '2', '--partitions', '32');
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(multiset(result.stdout)).toEqual(multiset(reference));
    expect(perAddress(parseAlerts(result.stdout, 'text'))).toEqual(
      perAddress(parseAlerts(reference, 'text')),
    );
    expect(parseSummary(result.stderr)).toMatchObject({ status: 'done', events: EVENTS, rejected: 0 });
    expect(result.stderr).toMatch(
      /kafka: topic round-trip, group .*, partitions read: 0 \(.*\), 1 \(.*\), 2 \(.*\), 3 \(.*\); the group reached the end offsets/,
    );
  });

  it('--output-dir writes each partition its own file, and --alerts-topic sends every alert with its source offset', async () => {
    const outDir = join(dir(), 'by-partition');
    const statsPath = join(dir(), 'stats.json');
    const result = await kafkaRun(
      uniqueGroup('round-trip-dir'),
      ...['--output-dir', outDir, '--alerts-topic', ALERTS_TOPIC, '--stats', statsPath, '--workers', '1'],
    );
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout.length, 'no stdout output besides the files and the topic').toBe(0);

    const files = (await readdir(outDir)).sort();
    expect(files).toEqual(['partition-0.txt', 'partition-1.txt', 'partition-2.txt', 'partition-3.txt']);
    const texts = await Promise.all(files.map((file) => readFile(join(outDir, file), 'utf8')));
    expect(multiset(texts.join(''))).toEqual(multiset(reference));

    // The alerts topic holds the same alerts; each names the partition and offset of the event
    // that raised it, and that partition's file holds the alert.
    const alertRecords = await readRaw(ALERTS_TOPIC, linesOf(reference).length);
    expect(alertRecords.map((r) => `${r.value}\n`).sort()).toEqual(
      linesOf(reference)
        .map((l) => `${l}\n`)
        .sort(),
    );
    const events = await readRaw(TOPIC, EVENTS);
    const eventAt = new Map(events.map((e) => [`${e.partition}@${e.offset}`, e]));
    for (const record of alertRecords) {
      const partition = record.headers['statecraft-source-partition'];
      const source = eventAt.get(`${partition}@${record.headers['statecraft-source-offset']}`);
      expect(source, `alert ${record.value}`).toBeDefined();
      const address = source!.value.readUInt32LE(0);
      expect(record.key?.readUInt32BE(0)).toBe(address);
      expect(parseAlerts(`${record.value}\n`, 'text')[0]?.address).toBe(
        `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`,
      );
      expect(texts[Number(partition)]).toContain(`${record.value}\n`);
    }

    const stats = JSON.parse(await readFile(statsPath, 'utf8'));
    expect(stats).toMatchObject({
      events: EVENTS,
      source: `kafka:${TOPIC}`,
      kafka: { topic: TOPIC, reachedEnd: true },
    });
    expect(stats.kafka.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(stats.kafka.partitions.reduce((n: number, p: { events: number }) => n + p.events, 0)).toBe(EVENTS);
    // The run monitor watches Kafka runs too: the worker's load is measured.
    expect(stats.workerBusy).toHaveLength(1);
    expect(stats.workerBusy[0]).toBeGreaterThan(0);
  });

  it('a second run of a group that is done reads nothing', async () => {
    const group = uniqueGroup('round-trip-again');
    const first = await kafkaRun(group, '--quiet');
    expect(first.code, first.stderr).toBe(EXIT.ok);
    const second = await kafkaRun(group);
    expect(second.code, second.stderr).toBe(EXIT.ok);
    expect(second.stdout.length).toBe(0);
    expect(parseSummary(second.stderr)).toMatchObject({ events: 0, alerts: 0 });
  });
});
