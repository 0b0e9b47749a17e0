import { join } from 'node:path';
import type { PartitionCheckpoint } from '@statecraft/kafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { readWholePartition } from '../../kafka/src/wire/partition-reader.js';
import { assertBuilt, collect, EXIT, linesOf, parseAlerts, runCli, startCli, useTempDir } from './helpers.js';
import {
  bootstrap,
  FAST,
  fileRunAlerts,
  multiset,
  perAddress,
  stateCheckpoints,
  testClient,
  uniqueGroup,
} from './kafka-helpers.js';

const EVENTS = 1_000_000;
// One generator split: live addresses span the stream, so a state not restored shows in the alerts.
const STREAM = [
  '--events',
  String(EVENTS),
  '--seed',
  '31',
  '--error-rate',
  '0.01',
  '--generator-splits',
  '1',
];
const TOPIC = TEST_TOPICS.exactlyOnceEvents.name;
const ALERTS = TEST_TOPICS.exactlyOnceAlerts;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const reader = () => ({ brokers: [bootstrap()], clientId: 'exactly-once-test', timeoutMs: 10_000 });

const dir = useTempDir();
let reference: string;

beforeAll(async () => {
  assertBuilt();
  const produced = await runCli([
    ...['produce', '--brokers', bootstrap(), '--topic', TOPIC, ...STREAM],
    ...['--kafka-batch-bytes', '4096', '--quiet'],
  ]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
  reference = await fileRunAlerts(dir(), STREAM);
}, 120_000);

/** The committed values of a topic's partitions (read_committed), one text line each. */
async function committedLines(topic: string, partitions: number): Promise<string> {
  let text = '';
  for (let partition = 0; partition < partitions; partition++) {
    for (const run of await readWholePartition(reader(), topic, partition)) {
      for (let i = 0; i < run.count; i++) {
        text += `${Buffer.from(run.values.subarray(run.valueStarts[i], run.valueEnds[i])).toString()}\n`;
      }
    }
  }
  return text;
}

describe('--guarantee exactly-once', () => {
  it('a read_committed reader of the alerts topic sees each alert of a single run once, after a member is killed -9 mid-run', async () => {
    const group = uniqueGroup('exactly-once');
    const stateTopic = `${group}-state`;
    const admin = testClient().admin();
    await admin.connect();
    const { end } = await admin.topicOffsets(TOPIC);
    const alertsBefore = (await admin.topicOffsets(ALERTS.name)).end;
    await admin.disconnect();
    expect(alertsBefore.every((offset) => offset === 0)).toBe(true);
    const member = (name: string) =>
      startCli([
        'run',
        ...['--brokers', bootstrap(), '--topic', TOPIC, '--group', group, '--until-end', ...FAST],
        ...['--guarantee', 'exactly-once', '--alerts-topic', ALERTS.name, '--state-topic', stateTopic],
        ...['--checkpoint-interval', '2000', '--kafka-fetch-bytes', '4096', '--workers', '1'],
        ...['--kafka-timeout', '60000', '--stats', join(dir(), `${name}.json`)],
      ]);
    const victim = member('victim');
    const victimDone = collect(victim, { timeoutMs: 120_000 });
    // Killed mid-run: after it committed a partition part of the way, at a moment in between commits.
    const deadline = Date.now() + 60_000;
    const midway = (c: PartitionCheckpoint) => c.offset > 0 && c.offset < end[c.partition]!;
    while (!(await stateCheckpoints(stateTopic, TEST_TOPICS.exactlyOnceEvents.partitions)).some(midway)) {
      if (Date.now() > deadline || victim.exitCode !== null)
        throw new Error('the victim ended before it was killed');
      await sleep(2);
    }
    await sleep(Math.floor(Math.random() * 50));
    victim.kill('SIGKILL');
    const killed = await victimDone;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const survivor = await collect(member('survivor'), { timeoutMs: 150_000 });
    expect(survivor.code, survivor.stderr).toBe(EXIT.ok);
    expect(survivor.stderr).toMatch(/resuming from its checkpoint at offset \d+ \(.*written by .* pid \d+\)/);

    const committed = await committedLines(ALERTS.name, ALERTS.partitions);
    expect(linesOf(committed).length).toBe(linesOf(reference).length);
    expect(multiset(committed)).toEqual(multiset(reference));
    expect(perAddress(parseAlerts(committed, 'text'))).toEqual(perAddress(parseAlerts(reference, 'text')));
    // The topic also holds what the victim's open transaction had sent: aborted, never visible.
    const admin2 = testClient().admin();
    await admin2.connect();
    const alertsEnd = (await admin2.topicOffsets(ALERTS.name)).end;
    await admin2.disconnect();
    expect(alertsEnd.reduce((n, offset) => n + offset, 0)).toBeGreaterThan(linesOf(reference).length);
  }, 240_000);

  it('a partition that moves to another member and back is committed again by its first owner (a new producer fences the visitor)', async () => {
    const group = uniqueGroup('exactly-once-back');
    const stateTopic = `${group}-state`;
    const alertsTopic = `${group}-alerts`;
    const admin = testClient().admin();
    await admin.connect();
    await admin.createTopics([{ name: alertsTopic, partitions: ALERTS.partitions }]);
    await admin.disconnect();
    const member = (name: string) =>
      startCli([
        'run',
        ...['--brokers', bootstrap(), '--topic', TOPIC, '--group', group, '--until-end', ...FAST],
        ...['--guarantee', 'exactly-once', '--alerts-topic', alertsTopic, '--state-topic', stateTopic],
        ...['--checkpoint-interval', '2000', '--kafka-fetch-bytes', '4096', '--workers', '1'],
        ...['--kafka-timeout', '60000', '--stats', join(dir(), `${name}.json`)],
      ]);
    const partitions = TEST_TOPICS.exactlyOnceEvents.partitions;
    const waitFor = async (what: string, done: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`waited 60 s for ${what}`);
        await sleep(5);
      }
    };
    const owner = member('owner');
    const ownerDone = collect(owner, { timeoutMs: 200_000 });
    await waitFor(
      'the owner to checkpoint',
      async () => (await stateCheckpoints(stateTopic, partitions)).length > 0,
    );
    // The visitor takes some partitions over (fencing the owner's producers of them), checkpoints
    // them, and leaves: they come back to the owner, whose first producers of them are fenced.
    const visitor = member('visitor');
    const visitorDone = collect(visitor, { timeoutMs: 120_000 });
    const byVisitor = (c: PartitionCheckpoint) => c.writer.endsWith(`pid ${visitor.pid}`);
    await waitFor('the visitor to checkpoint', async () =>
      (await stateCheckpoints(stateTopic, partitions)).some(byVisitor),
    );
    visitor.kill('SIGINT');
    const left = await visitorDone;
    expect(left.code, left.stderr).toBe(EXIT.interrupted);
    const finished = await ownerDone;
    expect(finished.code, finished.stderr).toBe(EXIT.ok);
    expect(finished.stderr).toMatch(
      new RegExp(`resuming from its checkpoint at offset \\d+ \\(.*written by .* pid ${visitor.pid}\\)`),
    );

    const committed = await committedLines(alertsTopic, ALERTS.partitions);
    expect(linesOf(committed).length).toBe(linesOf(reference).length);
    expect(multiset(committed)).toEqual(multiset(reference));
  }, 300_000);

  it('needs --alerts-topic and --state-topic, and refuses file outputs (exit 2, one line)', async () => {
    const run = ['run', '--brokers', bootstrap(), '--topic', TOPIC, '--group', 'g', '--guarantee'];
    const missing = await runCli([...run, 'exactly-once', '--alerts-topic', ALERTS.name]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(
      /^statecraft: --guarantee exactly-once needs --alerts-topic and --state-topic/,
    );
    const files = await runCli([
      ...run,
      'exactly-once',
      '--alerts-topic',
      'a',
      '--state-topic',
      's',
      '--output-dir',
      'd',
    ]);
    expect(files.code).toBe(EXIT.usage);
    expect(files.stderr).toMatch(/^statecraft: --guarantee exactly-once writes to --alerts-topic only/);
    const unknown = await runCli([...run, 'twice']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(
      /^statecraft: --guarantee must be at-least-once or exactly-once, got twice/,
    );
  });
});
