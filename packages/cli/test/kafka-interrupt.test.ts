import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import {
  assertBuilt,
  collect,
  EXIT,
  linesOf,
  parseSummary,
  runCli,
  startCli,
  useTempDir,
} from './helpers.js';
import { bootstrap, FAST, fileRunAlerts, multiset, testClient, uniqueGroup } from './kafka-helpers.js';

const TOPIC = TEST_TOPICS.interrupt.name;
// Enough that reading the topic takes several checkpoint intervals, however fast the machine: the
// interrupts must land mid-topic.
const EVENTS = 2_000_000;

const dir = useTempDir();

beforeAll(async () => {
  assertBuilt();
  const produced = await runCli([
    'produce',
    '--brokers',
    bootstrap(),
    '--topic',
    TOPIC,
    '--events',
    String(EVENTS),
    '--quiet',
  ]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
});

/** Waits until the group has committed something (the run is surely reading), at most 30 s. */
async function untilCommitted(group: string, running: () => boolean): Promise<void> {
  const admin = testClient().admin();
  await admin.connect();
  try {
    const started = Date.now();
    while (Date.now() - started < 30_000 && running()) {
      const committed = await admin.committedOffsets(group, TOPIC);
      if (committed.some((offset) => offset > 0)) return;
      await sleep(50);
    }
  } finally {
    await admin.disconnect();
  }
}

describe('run --brokers without --until-end', () => {
  it('on SIGINT writes and commits what it read and exits 130; the group resumes there, losing and repeating nothing', async () => {
    const group = uniqueGroup('interrupt');
    const args = [
      'run',
      '--brokers',
      bootstrap(),
      '--topic',
      TOPIC,
      '--group',
      group,
      ...FAST,
      '--workers',
      '1',
    ];
    // Small fetches, so that the real broker does not hand over the whole topic before the interrupt.
    const child = startCli([...args, '--kafka-fetch-bytes', '16384', '--output', '/dev/null']);
    const done = collect(child, { timeoutMs: 40_000 });
    await untilCommitted(group, () => child.exitCode === null);
    child.kill('SIGINT');
    const first = await done;
    expect(first.code, first.stderr).toBe(EXIT.interrupted);
    const interrupted = parseSummary(first.stderr);
    expect(interrupted?.status).toBe('interrupted');
    expect(interrupted?.events).toBeGreaterThan(0);
    expect(interrupted?.events).toBeLessThan(EVENTS);

    const rest = await runCli([...args, '--until-end', '--output', '/dev/null']);
    expect(rest.code, rest.stderr).toBe(EXIT.ok);
    expect(interrupted!.events + parseSummary(rest.stderr)!.events).toBe(EVENTS);
  });

  it("with checkpoints, SIGINT checkpoints every partition; the next run restores them: the files hold one run's alerts", async () => {
    const reference = await fileRunAlerts(dir(), ['--events', String(EVENTS)]);

    const group = uniqueGroup('interrupt-checkpoints');
    const outDir = join(dir(), 'alerts');
    const args = [
      ...['run', '--brokers', bootstrap(), '--topic', TOPIC, '--group', group, ...FAST, '--workers', '1'],
      ...[
        '--checkpoint-dir',
        join(dir(), 'checkpoints'),
        '--checkpoint-interval',
        '50ms',
        '--output-dir',
        outDir,
      ],
      // Small fetches and frequent checkpoints (the group commits at each): the interrupt lands
      // mid-topic even where the whole topic is read in a few hundred milliseconds.
      ...['--kafka-fetch-bytes', '8192'],
    ];
    const child = startCli(args);
    const done = collect(child, { timeoutMs: 40_000 });
    await untilCommitted(group, () => child.exitCode === null);
    child.kill('SIGINT');
    const first = await done;
    expect(first.code, first.stderr).toBe(EXIT.interrupted);
    const interrupted = parseSummary(first.stderr)!;
    expect(interrupted.events).toBeLessThan(EVENTS);

    const rest = await runCli([...args, '--until-end']);
    expect(rest.code, rest.stderr).toBe(EXIT.ok);
    expect(rest.stderr).toMatch(/partition \d: resuming from its checkpoint at offset [1-9]/);
    expect(interrupted.events + parseSummary(rest.stderr)!.events).toBe(EVENTS);
    const files = (await readdir(outDir)).sort();
    const union = (await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8')))).join('');
    expect(linesOf(union).length).toBe(linesOf(reference).length);
    expect(multiset(union)).toEqual(multiset(reference));
  });
});
