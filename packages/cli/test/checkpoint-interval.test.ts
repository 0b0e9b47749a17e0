import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeCheckpoint } from '@statecraft/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointFiles, expectSameBytes, linesMatching } from './checkpoint-helpers.js';
import { assertBuilt, EXIT, runCli, useTempDir } from './helpers.js';

// 3,000,000 events are 46 chunks of the generator's 65,536. A count interval of 200,000 puts a
// checkpoint at the first chunk boundary at or past each multiple: 200,000 is passed at chunk 4
// (262,144 events before it), 400,000 at chunk 7, ... 2,800,000 at chunk 43; 3,000,000 is the end
// of the stream. The boundaries depend on the stream alone, not on the machine's speed.
const EVENTS = 3_000_000;
const CHUNK = 65_536;
const INTERVAL = 200_000;
const EXPECTED_CHUNKS = Array.from({ length: 14 }, (_, i) => 4 + 3 * i);
const STREAM = ['--events', String(EVENTS), '--seed', '5', '--error-rate', '0.0005', '--format', 'csv'];

const dir = useTempDir();
let reference: Buffer;

beforeAll(async () => {
  assertBuilt();
  const output = join(dir(), 'reference.csv');
  const result = await runCli(['run', ...STREAM, '--workers', '1', '--output', output, '--quiet']);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  reference = readFileSync(output);
  expect(reference.toString().split('\n').length).toBeGreaterThan(1000);
});

/** A run of `job` to completion with a count checkpoint interval, keeping every checkpoint. */
async function checkpointedRun(name: string, job: string[]) {
  const output = join(dir(), `${name}.csv`);
  const checkpoints = join(dir(), `${name}-checkpoints`);
  const stats = join(dir(), `${name}.json`);
  const result = await runCli([
    'run',
    ...job,
    ...['--output', output, '--stats', stats, '--checkpoint-dir', checkpoints],
    ...['--checkpoint-interval', String(INTERVAL), '--checkpoint-retain', '100', '--quiet'],
  ]);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return {
    output,
    files: checkpointFiles(checkpoints),
    stats: JSON.parse(readFileSync(stats, 'utf8')) as { checkpoints: number; events: number; chunks: number },
  };
}

describe('--checkpoint-interval as a count of events', () => {
  it.each([
    ['2 workers', ['--workers', '2', '--partitions', '128']],
    ['3 workers, 2 producers', ['--workers', '3', '--partitions', '64', '--source-parallelism', '2']],
    ['inline', ['--workers', '0']],
  ])('%s: a checkpoint at the first chunk boundary past every 200,000 events', async (name, layout) => {
    const run = await checkpointedRun(name.replace(/\W+/g, '-'), [...STREAM, ...layout]);
    expectSameBytes(run.output, reference, name);
    expect(run.stats).toMatchObject({ events: EVENTS, checkpoints: EXPECTED_CHUNKS.length });
    const taken = run.files.map((file) => decodeCheckpoint(readFileSync(file)));
    expect(taken.map((checkpoint) => checkpoint.chunk)).toEqual(EXPECTED_CHUNKS);
    expect(taken.map((checkpoint) => checkpoint.firstEvent)).toEqual(EXPECTED_CHUNKS.map((c) => c * CHUNK));
  });

  it('a CSV file, whose chunks hold unknown numbers of events: a checkpoint at every boundary', async () => {
    // 4 MiB chunks of about 260,000 events: each boundary passes a multiple of 200,000, wherever
    // the job estimates it (from the chunks written so far).
    const input = join(dir(), 'events.csv');
    const generated = await runCli(['generate', ...STREAM.slice(0, 6), '--out', input, '--quiet']);
    expect(generated.code, generated.stderr).toBe(EXIT.ok);
    const run = await checkpointedRun('csv', ['--input', input, '--format', 'csv', '--workers', '2']);
    const { stats } = run;
    // The same events as the generator's stream, so the same alerts as the reference.
    expect(stats.events).toBe(EVENTS);
    expect(stats.chunks).toBeGreaterThanOrEqual(10);
    expect(stats.checkpoints).toBe(stats.chunks - 1);
    expectSameBytes(run.output, reference, 'CSV input with checkpoints');
  });

  it('a resume from the first, a middle and the last of them writes the uninterrupted output', async () => {
    const run = await checkpointedRun('resume-source', [...STREAM, '--workers', '2', '--partitions', '128']);
    expect(run.files).toHaveLength(EXPECTED_CHUNKS.length);
    const picks: [number, string[]][] = [
      [0, ['--workers', '3', '--partitions', '32']],
      [6, ['--workers', '1', '--partitions', '16']],
      [EXPECTED_CHUNKS.length - 1, ['--workers', '2', '--partitions', '256']],
    ];
    for (const [index, layout] of picks) {
      // A directory holding that checkpoint alone, and the whole output (truncated by the resume).
      const checkpoints = join(dir(), `resume-${index}-checkpoints`);
      mkdirSync(checkpoints);
      const file = run.files[index]!;
      cpSync(file, join(checkpoints, basename(file)));
      const output = join(dir(), `resume-${index}.csv`);
      cpSync(run.output, output);
      const resumed = await runCli([
        'run',
        ...STREAM,
        ...layout,
        ...['--output', output, '--checkpoint-dir', checkpoints, '--checkpoint-interval', String(INTERVAL)],
        '--resume',
      ]);
      expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
      const chunk = EXPECTED_CHUNKS[index]!;
      expect(
        linesMatching(resumed.stderr, new RegExp(`^statecraft: resuming from .*: chunk ${chunk}, `)),
      ).toHaveLength(1);
      expectSameBytes(output, reference, `resumed from chunk ${chunk} on ${layout.join(' ')}`);
    }
  });
});
