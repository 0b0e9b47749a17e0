import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { assertBuilt, collect, EXIT, parseSummary, runCli, startCli } from './helpers.js';
import { bootstrap, FAST, testClient, uniqueGroup } from './kafka-helpers.js';

const TOPIC = TEST_TOPICS.interrupt.name;
const EVENTS = 400_000;

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
    const child = startCli([...args, '--output', '/dev/null']);
    const done = collect(child, { timeoutMs: 40_000 });
    // Interrupt once the group has committed something (the run is surely reading), mid-topic.
    const admin = testClient().admin();
    await admin.connect();
    try {
      const started = Date.now();
      while (Date.now() - started < 30_000 && child.exitCode === null) {
        const committed = await admin.committedOffsets(group, TOPIC);
        if (committed.some((offset) => offset > 0)) break;
        await sleep(50);
      }
    } finally {
      await admin.disconnect();
    }
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
});
