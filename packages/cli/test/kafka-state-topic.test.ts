import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unframeCheckpoint } from '@statecraft/engine';
import { decodePartitionCheckpoint, type PartitionCheckpoint } from '@statecraft/kafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { assertBuilt, collect, EXIT, linesOf, parseAlerts, runCli, startCli, useTempDir } from './helpers.js';
import {
  bootstrap,
  FAST,
  fileRunAlerts,
  multiset,
  newestStateRecord,
  perAddress,
  stateCheckpoints,
  testClient,
  uniqueGroup,
} from './kafka-helpers.js';

// Enough that the victims are still reading when their checkpoints are found, on a fast machine too
// (with 1 M events one ended first under the full suite on Node 24).
const EVENTS = 2_000_000;
// One generator split: its live addresses span the whole stream, so a partition resumed without its
// state raises alerts a single run does not (with the default 64 splits, an address lives within
// one split's chunk, and a cut between chunks loses nothing).
const STREAM = [
  '--events',
  String(EVENTS),
  '--seed',
  '29',
  '--error-rate',
  '0.01',
  '--generator-splits',
  '1',
];
const TOPIC = TEST_TOPICS.stateMoves.name;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = useTempDir();
let reference: string;

beforeAll(async () => {
  assertBuilt();
  const produced = await runCli([
    'produce',
    '--brokers',
    bootstrap(),
    '--topic',
    TOPIC,
    ...STREAM,
    '--quiet',
  ]);
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
  reference = await fileRunAlerts(dir(), STREAM);
}, 120_000);

/**
 * A member killed -9 once it has checkpointed a partition part of the way (and `killable`), and a second process
 * of the group (with `cacheDirs[1]` as its --checkpoint-dir) taking the partitions over: checks
 * that each partition's alerts, the first's up to the checkpoint the second resumed from and then
 * the second's, are exactly a single run's; resolves with the second's stderr.
 */
async function killAndTakeOver(
  cacheDirs: [string | undefined, string | undefined],
  killable: (stateTopic: string, end: readonly number[]) => Promise<boolean> = async () => true,
  checkpointInterval = '2000',
): Promise<string> {
  const group = uniqueGroup('state-topic');
  const stateTopic = `${group}-state`;
  // Each process has its own output directory: nothing on disk is shared, unless cacheDirs say so.
  const member = (name: string, cacheDir: string | undefined) =>
    startCli([
      'run',
      ...['--brokers', bootstrap(), '--topic', TOPIC, '--group', group, '--until-end', ...FAST],
      ...['--state-topic', stateTopic, '--checkpoint-interval', checkpointInterval],
      ...(cacheDir === undefined ? [] : ['--checkpoint-dir', cacheDir]),
      ...['--output-dir', join(dir(), group, name), '--kafka-fetch-bytes', '4096', '--workers', '1'],
      ...['--kafka-timeout', '60000', '--stats', join(dir(), group, `${name}.json`)],
    ]);
  const admin = testClient().admin();
  await admin.connect();
  const { end } = await admin.topicOffsets(TOPIC);
  await admin.disconnect();
  const victim = member('victim', cacheDirs[0]);
  const victimDone = collect(victim, { timeoutMs: 120_000 });
  // Killed mid-run, once it has checkpointed a partition part of the way (not at its end).
  const deadline = Date.now() + 60_000;
  const midway = (c: PartitionCheckpoint) => c.offset > 0 && c.offset < end[c.partition]!;
  for (;;) {
    if (Date.now() > deadline || victim.exitCode !== null)
      throw new Error('the victim ended before it was killed');
    if ((await stateCheckpoints(stateTopic, TEST_TOPICS.stateMoves.partitions)).some(midway)) {
      // Stopped while `killable` looks, so that what it saw is what the victim leaves behind.
      victim.kill('SIGSTOP');
      if (await killable(stateTopic, end)) break;
      victim.kill('SIGCONT');
    }
    await sleep(2);
  }
  victim.kill('SIGKILL');
  const killed = await victimDone;
  expect(killed.signal, killed.stderr).toBe('SIGKILL');
  const result = await collect(member('survivor', cacheDirs[1]), { timeoutMs: 150_000 });
  expect(result.code, result.stderr).toBe(EXIT.ok);

  // The survivor resumed partitions from checkpoints the victim wrote into the topic.
  const resumed = [
    ...result.stderr.matchAll(
      new RegExp(
        `partition (\\d+): resuming from its checkpoint at offset (\\d+) \\(.*written by .* pid ${victim.pid}\\)`,
        'g',
      ),
    ),
  ].map((match) => ({ partition: Number(match[1]), offset: Number(match[2]) }));
  // At least one of them part of the way: the survivor read on with the victim's state.
  expect(
    resumed.some((r) => r.offset < end[r.partition]!),
    result.stderr,
  ).toBe(true);

  // Each partition's alerts: the victim's up to the checkpoint the survivor resumed from, then
  // the survivor's; together, exactly a single run's alerts (state restored, or they differ).
  const checkpoints = await stateCheckpoints(stateTopic, TEST_TOPICS.stateMoves.partitions);
  let union = '';
  for (let partition = 0; partition < TEST_TOPICS.stateMoves.partitions; partition++) {
    const file = (name: string) =>
      readFile(join(dir(), group, name, `partition-${partition}.txt`), 'utf8').catch(() => '');
    const [victimAlerts, survivorAlerts] = [linesOf(await file('victim')), linesOf(await file('survivor'))];
    const from = resumed.find((r) => r.partition === partition);
    let kept = victimAlerts.length;
    if (from !== undefined) {
      const used = checkpoints.find((c) => c.partition === partition && c.offset === from.offset);
      expect(used, `partition ${partition}`).toBeDefined();
      kept = used!.alerts;
    } else if (survivorAlerts.length > 0 && victimAlerts.length > 0) {
      // Read by both without a checkpoint in between: only possible from the partition's start.
      kept = 0;
    }
    union += victimAlerts
      .slice(0, kept)
      .map((line) => `${line}\n`)
      .join('');
    union += survivorAlerts.map((line) => `${line}\n`).join('');
  }
  expect(linesOf(union).length).toBe(linesOf(reference).length);
  expect(multiset(union)).toEqual(multiset(reference));
  expect(perAddress(parseAlerts(union, 'text'))).toEqual(perAddress(parseAlerts(reference, 'text')));

  const stats = JSON.parse(await readFile(join(dir(), group, 'survivor.json'), 'utf8'));
  expect(stats.kafka.reachedEnd).toBe(true);
  return result.stderr;
}

/** Whether a local copy in `cacheDir` is of a checkpoint part of the way that is its partition's newest. */
async function copyIsCurrent(cacheDir: string, stateTopic: string, end: readonly number[]): Promise<boolean> {
  for (let partition = 0; partition < TEST_TOPICS.stateMoves.partitions; partition++) {
    const file = await readFile(join(cacheDir, `partition-${partition}.state-copy`)).catch(() => undefined);
    if (file === undefined) continue;
    const copy = unframeCheckpoint(file) as { offset: number; checkpoint: Uint8Array };
    const { offset } = decodePartitionCheckpoint(copy.checkpoint);
    if (offset === 0 || offset >= end[partition]!) continue;
    if ((await newestStateRecord(stateTopic, partition)) === copy.offset) return true;
  }
  return false;
}

describe('state that lives in Kafka (--state-topic)', () => {
  it("a process that takes a killed member's partitions over restores their state from the topic, not from a disk it shares", async () => {
    const stderr = await killAndTakeOver([undefined, undefined]);
    expect(stderr).not.toMatch(/local copy/);
  }, 240_000);

  it('a process with another --checkpoint-dir restores from the topic; one restarted on its own restores its local copies', async () => {
    const [first, second] = [join(dir(), 'cache-1'), join(dir(), 'cache-2')];
    // Two processes with their own directories: the second has no copy, so it reads the topic.
    expect(await killAndTakeOver([first, second])).not.toMatch(/local copy/);
    // A process restarted on its own directory: the copies of its newest checkpoints are current.
    // Killed once a copy is of its partition's newest checkpoint, part of the way, with the next
    // checkpoint 400 ms away (killed between a checkpoint's commit and its copy, the process
    // would rightly read the topic instead).
    const own = join(dir(), 'cache-3');
    const current = (stateTopic: string, end: readonly number[]) => copyIsCurrent(own, stateTopic, end);
    const restarted = await killAndTakeOver([own, own], current, '400ms');
    expect(restarted).toMatch(
      new RegExp(
        `resuming from its checkpoint at offset \\d+ \\(.*\\); restored from its local copy ${own.replaceAll('/', '\\/')}\\/partition-\\d\\.state-copy`,
      ),
    );
  }, 480_000);

  it('refuses a --state-topic naming the events topic (exit 2, one line)', async () => {
    const run = ['run', '--brokers', bootstrap(), '--topic', TOPIC, '--group', 'g'];
    const same = await runCli([...run, '--state-topic', TOPIC]);
    expect(same.code).toBe(EXIT.usage);
    expect(same.stderr).toMatch(/^statecraft: --state-topic must be a topic of its own/);
  });
});
