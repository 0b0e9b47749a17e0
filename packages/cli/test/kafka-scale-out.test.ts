import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../../scripts/broker/broker.js';
import { assertBuilt, collect, EXIT, linesOf, parseAlerts, runCli, startCli, useTempDir } from './helpers.js';
import { FAST, fileRunAlerts, multiset, perAddress, uniqueGroup } from './kafka-helpers.js';

const EVENTS = 120_000;
const STREAM = ['--events', String(EVENTS), '--seed', '11', '--error-rate', '0.02'];
const TOPIC = 'scale-out';

let broker: RunningBroker;
const dir = useTempDir();
let reference: string;

beforeAll(async () => {
  assertBuilt();
  // A broker of this file's own, whose new groups wait 6 s for more members before the first
  // assignment (Kafka's group.initial.rebalance.delay.ms is 3 s): two processes started together
  // share the partitions from the start, so no partition changes hands mid-run.
  broker = await startBroker({ topics: [`${TOPIC}:4`], initialRebalanceDelayMs: 6000 });
  const produced = await runCli([
    'produce',
    '--brokers',
    broker.bootstrap,
    '--topic',
    TOPIC,
    ...STREAM,
    '--quiet',
  ]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
  reference = await fileRunAlerts(dir(), STREAM);
});

afterAll(async () => {
  await broker?.stop();
});

describe('two processes in one group', () => {
  it("split the partitions, finish together, and their per-partition files hold a single run's alerts", async () => {
    const group = uniqueGroup('scale-out');
    const outDir = join(dir(), 'alerts');
    const member = (n: number) =>
      startCli([
        'run',
        ...['--brokers', broker.bootstrap, '--topic', TOPIC, '--group', group, '--until-end', ...FAST],
        ...['--output-dir', outDir, '--workers', '1', '--stats', join(dir(), `stats-${n}.json`)],
        // The first assignment waits the broker's 6 s rebalance delay: leave room on a loaded machine.
        ...['--kafka-timeout', '60000'],
      ]);
    const results = await Promise.all([collect(member(1)), collect(member(2))]);
    for (const result of results) expect(result.code, result.stderr).toBe(EXIT.ok);

    const stats = await Promise.all(
      [1, 2].map(async (n) => JSON.parse(await readFile(join(dir(), `stats-${n}.json`), 'utf8'))),
    );
    const read = stats.map((s) => s.kafka.partitions.map((p: { partition: number }) => p.partition));
    // Each read a share of its own, and both stayed until the whole group was done.
    expect(read[0].length).toBeGreaterThan(0);
    expect(read[1].length).toBeGreaterThan(0);
    expect([...read[0], ...read[1]].sort()).toEqual([0, 1, 2, 3]);
    for (const s of stats) expect(s.kafka.reachedEnd).toBe(true);
    expect(stats[0].events + stats[1].events).toBe(EVENTS);

    const files = (await readdir(outDir)).sort();
    expect(files).toEqual(['partition-0.txt', 'partition-1.txt', 'partition-2.txt', 'partition-3.txt']);
    const union = (await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8')))).join('');
    expect(multiset(union)).toEqual(multiset(reference));
    expect(perAddress(parseAlerts(union, 'text'))).toEqual(perAddress(parseAlerts(reference, 'text')));
    expect(linesOf(union).length).toBe(linesOf(reference).length);
  });
});
