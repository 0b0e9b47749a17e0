import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../../scripts/broker/broker.js';
import { readWholePartition } from '../../kafka/src/wire/partition-reader.js';
import { assertBuilt, collect, EXIT, linesOf, parseAlerts, runCli, startCli, useTempDir } from './helpers.js';
import { FAST, fileRunAlerts, multiset, perAddress, uniqueGroup } from './kafka-helpers.js';

const EVENTS = 1_000_000;
// One generator split: live addresses span the stream, so a state lost over the restart would show.
const STREAM = [
  '--events',
  String(EVENTS),
  '--seed',
  '37',
  '--error-rate',
  '0.01',
  '--generator-splits',
  '1',
];
const TOPIC = 'restart';
const ALERTS = 'restart-alerts';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let broker: RunningBroker;
const dir = useTempDir();
let reference: string;

beforeAll(async () => {
  assertBuilt();
  broker = await startBroker({ topics: [`${TOPIC}:4`, `${ALERTS}:2`] });
  const produced = await runCli([
    ...['produce', '--brokers', broker.bootstrap, '--topic', TOPIC, ...STREAM],
    ...['--kafka-batch-bytes', '4096', '--quiet'],
  ]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
  reference = await fileRunAlerts(dir(), STREAM);
}, 180_000);

afterAll(async () => {
  await broker?.stop();
});

describe('the broker killed -9 mid-run and restarted on the same data', () => {
  it('the run rides it out: it rejoins, resumes from its checkpoints, its files hold a single run’s alerts, and the alerts topic every one of them', async () => {
    const checkpoints = join(dir(), 'checkpoints');
    const outDir = join(dir(), 'alerts');
    const run = startCli([
      'run',
      ...[
        '--brokers',
        broker.bootstrap,
        '--topic',
        TOPIC,
        '--group',
        uniqueGroup('restart'),
        '--until-end',
        ...FAST,
      ],
      ...['--checkpoint-dir', checkpoints, '--checkpoint-interval', '2000', '--output-dir', outDir],
      ...['--alerts-topic', ALERTS],
      ...['--kafka-fetch-bytes', '4096', '--workers', '1', '--kafka-reconnect-timeout', '90000'],
    ]);
    const done = collect(run, { timeoutMs: 180_000 });
    // Once a partition has been checkpointed, the broker dies in the middle of the run.
    const deadline = Date.now() + 60_000;
    while (!(await readdir(checkpoints).catch(() => [] as string[])).some((name) => name.endsWith('.ckpt'))) {
      if (Date.now() > deadline || run.exitCode !== null)
        throw new Error('the run ended before the broker was killed');
      await sleep(2);
    }
    await broker.kill();
    expect(run.exitCode, 'the run was still going when the broker died').toBeNull();
    await sleep(1000);
    await broker.restart();
    const result = await done;
    expect(result.code, result.stderr).toBe(EXIT.ok);
    // It said it lost the cluster, and when it was back.
    expect(result.stderr).toMatch(/lost Kafka at 127\.0\.0\.1:\d+; reconnecting for up to 90 s\n/);
    expect(result.stderr).toMatch(/back in group \S+ after \d+\.\d s\n/);
    // It rejoined the group and took its partitions over again, from their checkpoints.
    expect(result.stderr).toMatch(/partition \d: resuming from its checkpoint at offset \d+/);

    const files = (await readdir(outDir)).sort();
    const union = (await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8')))).join('');
    expect(linesOf(union).length).toBe(linesOf(reference).length);
    expect(multiset(union)).toEqual(multiset(reference));
    expect(perAddress(parseAlerts(union, 'text'))).toEqual(perAddress(parseAlerts(reference, 'text')));

    // At least once: sends in flight when the broker died were sent again once it was back.
    let topicText = '';
    for (const partition of [0, 1]) {
      const reader = { brokers: [broker.bootstrap], clientId: 'restart-test', timeoutMs: 10_000 };
      for (const run of await readWholePartition(reader, ALERTS, partition)) {
        for (let i = 0; i < run.count; i++) {
          topicText += `${Buffer.from(run.values.subarray(run.valueStarts[i], run.valueEnds[i])).toString()}\n`;
        }
      }
    }
    const sent = new Map<string, number>();
    for (const alert of multiset(topicText)) sent.set(alert, (sent.get(alert) ?? 0) + 1);
    const missing = multiset(reference).filter((alert) => {
      const left = sent.get(alert) ?? 0;
      sent.set(alert, left - 1);
      return left <= 0;
    });
    expect(missing).toEqual([]);
  }, 240_000);
});
