import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePartitionCheckpoint, type PartitionCheckpoint } from '@statecraft/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../../../scripts/broker/broker.js';
import { assertBuilt, collect, EXIT, linesOf, parseAlerts, runCli, startCli, useTempDir } from './helpers.js';
import { FAST, fileRunAlerts, multiset, perAddress, uniqueGroup } from './kafka-helpers.js';

const EVENTS = 1_500_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// One generator split, so that live addresses span the stream and a lost state would show.
const STREAM = [
  '--events',
  String(EVENTS),
  '--seed',
  '23',
  '--error-rate',
  '0.01',
  '--generator-splits',
  '1',
];
const TOPIC = 'takeover';

let broker: RunningBroker;
const dir = useTempDir();
let reference: string;

beforeAll(async () => {
  assertBuilt();
  // New groups wait 3 s for more members: both processes get partitions in the first assignment.
  broker = await startBroker({ topics: [`${TOPIC}:4`], initialRebalanceDelayMs: 3000 });
  const produced = await runCli(
    ['produce', '--brokers', broker.bootstrap, '--topic', TOPIC, ...STREAM, '--quiet'],
    {
      timeoutMs: 120_000,
    },
  );
  expect(produced.code, produced.stderr).toBe(EXIT.ok);
  reference = await fileRunAlerts(dir(), STREAM);
}, 180_000);

afterAll(async () => {
  await broker?.stop();
});

/** The partitions' newest checkpoints in `dir` now. */
async function checkpointsIn(checkpointDir: string): Promise<PartitionCheckpoint[]> {
  const names = await readdir(checkpointDir).catch(() => [] as string[]);
  const found: PartitionCheckpoint[] = [];
  // The newest of each partition (partition-<n>.prev.ckpt is the one before it).
  for (const name of names.filter((n) => /^partition-\d+\.ckpt$/.test(n))) {
    // Files are replaced by rename: a read sees a whole one, or none if it moved meanwhile.
    const bytes = await readFile(join(checkpointDir, name)).catch(() => undefined);
    if (bytes !== undefined) found.push(decodePartitionCheckpoint(bytes));
  }
  return found;
}

/** A partition whose newest checkpoint `pid` wrote and whose file holds alerts past it, if any. */
async function pastCheckpoint(
  pid: number,
  checkpointDir: string,
  outDir: string,
): Promise<number | undefined> {
  for (const checkpoint of await checkpointsIn(checkpointDir)) {
    if (!checkpoint.writer.endsWith(`pid ${pid}`)) continue;
    const file = join(outDir, `partition-${checkpoint.partition}.txt`);
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    if (size > checkpoint.outputPosition) return checkpoint.partition;
  }
  return undefined;
}

/**
 * Waits until process `pid` has checkpointed a partition and then appended alerts past that
 * checkpoint (the bytes a successor must cut), and returns that partition with the process
 * stopped (SIGSTOP), so no newer checkpoint covers those alerts before it is killed: it checks
 * again once the process is stopped, and lets it go on when one did meanwhile.
 */
async function uncheckpointedAlertsOf(pid: number, checkpointDir: string, outDir: string): Promise<number> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if ((await pastCheckpoint(pid, checkpointDir, outDir)) !== undefined) {
      process.kill(pid, 'SIGSTOP');
      const partition = await pastCheckpoint(pid, checkpointDir, outDir);
      if (partition !== undefined) return partition;
      process.kill(pid, 'SIGCONT');
    }
    await sleep(5);
  }
  throw new Error(`process ${pid} never wrote alerts past a checkpoint of its own`);
}

describe('a partition moves with its state when its process is killed', () => {
  it("the survivor restores the partition's checkpoint and cuts its file: the files' union is a single run's alerts", async () => {
    const group = uniqueGroup('takeover');
    const checkpointDir = join(dir(), 'checkpoints');
    const outDir = join(dir(), 'alerts');
    const member = () =>
      startCli([
        'run',
        ...['--brokers', broker.bootstrap, '--topic', TOPIC, '--group', group, '--until-end', ...FAST],
        ...['--checkpoint-dir', checkpointDir, '--checkpoint-interval', '100ms', '--output-dir', outDir],
        // Small fetches make many small chunks: the victim is killed mid-partition.
        ...['--kafka-fetch-bytes', '8192', '--workers', '1', '--kafka-timeout', '60000'],
        ...['--stats', join(dir(), 'survivor.json')],
      ]);
    const victim = startCli([
      'run',
      ...['--brokers', broker.bootstrap, '--topic', TOPIC, '--group', group, '--until-end', ...FAST],
      ...['--checkpoint-dir', checkpointDir, '--checkpoint-interval', '100ms', '--output-dir', outDir],
      ...['--kafka-fetch-bytes', '8192', '--workers', '1', '--kafka-timeout', '60000'],
    ]);
    const victimDone = collect(victim, { timeoutMs: 120_000 });
    const survivor = collect(member(), { timeoutMs: 120_000 });

    const moved = await uncheckpointedAlertsOf(victim.pid!, checkpointDir, outDir);
    const victimCheckpoint = (await checkpointsIn(checkpointDir)).find((c) => c.partition === moved)!;
    victim.kill('SIGKILL');
    const killed = await victimDone;
    expect(killed.signal).toBe('SIGKILL');

    const result = await survivor;
    expect(result.code, result.stderr).toBe(EXIT.ok);
    // It took the victim's partition over from a checkpoint the victim wrote, and cut its file.
    const takeover = new RegExp(
      `partition ${moved}: resuming from its checkpoint at offset (\\d+) \\(.*written by .* pid ${victim.pid}\\); alerts file cut from (\\d+) to (\\d+) bytes`,
    ).exec(result.stderr);
    expect(takeover, result.stderr).not.toBeNull();
    expect(Number(takeover![1])).toBeGreaterThanOrEqual(victimCheckpoint.offset);
    expect(Number(takeover![2])).toBeGreaterThan(Number(takeover![3]));

    const stats = JSON.parse(await readFile(join(dir(), 'survivor.json'), 'utf8'));
    expect(stats.kafka.reachedEnd).toBe(true);
    expect(stats.kafka.partitions.map((p: { partition: number }) => p.partition)).toContain(moved);

    const files = (await readdir(outDir)).sort();
    expect(files).toEqual(['partition-0.txt', 'partition-1.txt', 'partition-2.txt', 'partition-3.txt']);
    const union = (await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8')))).join('');
    expect(linesOf(union).length).toBe(linesOf(reference).length);
    expect(multiset(union)).toEqual(multiset(reference));
    expect(perAddress(parseAlerts(union, 'text'))).toEqual(perAddress(parseAlerts(reference, 'text')));

    // Every partition ends checkpointed at its end, by whichever process finished it.
    const final = await checkpointsIn(checkpointDir);
    expect(final.map((c) => c.partition).sort()).toEqual([0, 1, 2, 3]);
    expect(final.reduce((n, c) => n + c.events, 0)).toBe(EVENTS);
  }, 240_000);
});
