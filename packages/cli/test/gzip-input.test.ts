import { readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointFiles,
  expectSameBytes,
  linesMatching,
  runCliWithWorkerDeaths,
} from './checkpoint-helpers.js';
import {
  assertBuilt,
  type CliResult,
  collect,
  EXIT,
  parseSummary,
  runCli,
  startCli,
  stderrProblems,
  useTempDir,
} from './helpers.js';

// 2,000,000 generated events: a CSV file of about 7 chunks of 4 MiB, and its gzip.
const STREAM = ['--events', '2000000', '--seed', '5', '--error-rate', '0.01'];

const dir = useTempDir();
let csv: string;
let gz: string;
/** Alerts (csv) of the plain file with --workers 0. */
let reference: Buffer;
let runs = 0;
const path = (name: string) => join(dir(), `${runs++}-${name}`);

beforeAll(async () => {
  assertBuilt();
  csv = join(dir(), 'events.csv');
  gz = `${csv}.gz`;
  const generated = await runCli(['generate', ...STREAM, '--out', csv, '--quiet']);
  expect(generated.code, generated.stderr).toBe(EXIT.ok);
  expect(statSync(csv).size).toBeGreaterThan(6 * 4 * 1024 * 1024);
  await writeFile(gz, gzipSync(await readFile(csv), { level: 1 }));
  const output = path('reference.csv');
  const result = await runCli([
    'run',
    '--input',
    csv,
    '--workers',
    '0',
    '--format',
    'csv',
    '--output',
    output,
  ]);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  reference = readFileSync(output);
  expect(reference.toString().split('\n').length).toBeGreaterThan(10_000);
}, 120_000);

describe('run --input file.csv.gz', { timeout: 120_000 }, () => {
  it.each([
    ['0', '1'],
    ['1', '2'],
    ['2', '3'],
  ])('--workers %s --source-parallelism %s: the plain file’s alerts, byte for byte', async (workers, s) => {
    const output = path('alerts.csv');
    const result = await runCli([
      'run',
      ...['--input', gz, '--workers', workers, '--source-parallelism', s],
      ...['--format', 'csv', '--output', output, '--quiet'],
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expectSameBytes(output, reference, `gz, workers ${workers}`);
  });

  it('--dead-letter: the same records, lines and (inflated) byte offsets as for the plain file', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      i % 997 === 5 ? 'not,a,record' : i % 1999 === 7 ? '10.0.0.1,z' : `10.0.${i % 7}.1,${'abcdefg'[i % 7]}`,
    );
    const bad = join(dir(), 'bad.csv');
    await writeFile(bad, `${lines.join('\r\n')}\n`);
    await writeFile(`${bad}.gz`, gzipSync(readFileSync(bad)));
    const letters = async (input: string, workers: string) => {
      const deadLetter = path('dead.ndjson');
      const result = await runCli([
        'run',
        '--input',
        input,
        '--workers',
        workers,
        '--dead-letter',
        deadLetter,
      ]);
      expect(result.code, result.stderr).toBe(EXIT.ok);
      return readFileSync(deadLetter, 'utf8').split(JSON.stringify(input)).join('"INPUT"');
    };
    const plain = await letters(bad, '0');
    expect(plain.split('\n').length).toBeGreaterThan(40);
    expect(plain).toContain('"line":6,"offset":');
    expect(await letters(`${bad}.gz`, '0')).toBe(plain);
    expect(await letters(`${bad}.gz`, '2')).toBe(plain);

    const strict = await runCli(['run', '--input', `${bad}.gz`, '--workers', '2', '--strict']);
    const plainStrict = await runCli(['run', '--input', bad, '--workers', '2', '--strict']);
    expect(strict.code).toBe(EXIT.badRecord);
    expect(stderrProblems(strict.stderr)).toEqual([]);
    expect(strict.stderr.replace(`${bad}.gz`, bad)).toBe(plainStrict.stderr);
    expect(strict.stderr).toMatch(/:6: /);
  });

  it.each([
    [
      'truncated',
      (bytes: Buffer) => bytes.subarray(0, bytes.length >> 1),
      'truncated gzip data (unexpected end of file)',
    ],
    ['not gzip', (bytes: Buffer) => bytes.subarray(10, 5000), 'not valid gzip data (incorrect header check)'],
  ])('a %s file: exit 66, one line naming the file, no stack trace', async (name, damage, why) => {
    const damaged = path(`${name.replace(' ', '-')}.csv.gz`);
    await writeFile(damaged, damage(readFileSync(gz)));
    for (const workers of ['0', '2']) {
      const result = await runCli(['run', '--input', damaged, '--workers', workers, '--output', path('out')]);
      expect(result.code, result.stderr).toBe(EXIT.noInput);
      expect(stderrProblems(result.stderr)).toEqual([]);
      expect(result.stderr).toBe(`statecraft: cannot read ${damaged}: ${why}\n`);
    }
  });
});

describe('checkpoints of a .gz run: resuming inflates again and skips to the checkpoint’s chunk', () => {
  it('SIGINT at a checkpoint, then --resume on 2 workers: the uninterrupted output', {
    timeout: 120_000,
  }, async () => {
    let output = '';
    let common: string[] = [];
    let interrupted: CliResult | undefined;
    // A run that finishes before the signal lands proves nothing: tried again (3 times at most).
    for (let attempt = 0; attempt < 3 && interrupted?.code !== EXIT.interrupted; attempt++) {
      output = path('alerts.csv');
      const checkpoints = path('checkpoints');
      common = ['--input', gz, '--format', 'csv', '--output', output, '--checkpoint-dir', checkpoints];
      const child = startCli(['run', ...common, '--workers', '0', '--checkpoint-interval', '1000']);
      const done = collect(child, { timeoutMs: 60_000 });
      while (child.exitCode === null && checkpointFiles(checkpoints).length === 0) await sleep(5);
      child.kill('SIGINT');
      interrupted = await done;
    }
    expect(interrupted?.code, interrupted?.stderr).toBe(EXIT.interrupted);
    expect(parseSummary(interrupted!.stderr)?.status).toBe('interrupted');
    const resumed = await runCli([
      'run',
      ...common,
      '--workers',
      '2',
      '--source-parallelism',
      '3',
      '--resume',
    ]);
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect(linesMatching(resumed.stderr, /^statecraft: resuming from .*: chunk [1-9]\d*, /)).toHaveLength(1);
    expectSameBytes(output, reference, 'gz interrupted, then resumed');
  });

  it('a worker death: restarted (the feed opened again), the same output', { timeout: 120_000 }, async () => {
    const output = path('alerts.csv');
    const stats = path('stats.json');
    const result = await runCliWithWorkerDeaths(
      [
        'run',
        ...['--input', gz, '--format', 'csv', '--workers', '2', '--output', output, '--stats', stats],
        ...['--checkpoint-dir', path('checkpoints'), '--checkpoint-interval', '300000'],
      ],
      '1@700000',
    );
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(linesMatching(result.stderr, /restart 1 of 3 from chunk \d+ in/)).toHaveLength(1);
    expectSameBytes(output, reference, 'gz after a worker death');
    expect(JSON.parse(readFileSync(stats, 'utf8'))).toMatchObject({ restarts: 1, events: 2_000_000 });
  });
});
