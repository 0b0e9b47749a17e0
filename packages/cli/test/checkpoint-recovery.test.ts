import { cpSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeCheckpoint } from '@statecraft/engine';
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

// 10 chunks of the generator's 65,536 events, more than the 8 two workers have in flight: a
// checkpoint is surely begun (and completed) in a run.
const streamOf = (seed: number) => [
  '--events',
  '600000',
  '--seed',
  String(seed),
  '--error-rate',
  '0.01',
  '--format',
  'csv',
];
const STREAM = streamOf(11);
const LAYOUT = ['--workers', '2', '--partitions', '64'];

const dir = useTempDir();
let reference: Buffer;
/** Checkpoints of two complete runs of the job (each leaves at least one), and the output file. */
let shared: { checkpoints: string; files: string[]; output: string };
let runs = 0;

/** A fresh path in the test directory. */
const path = (name: string) => join(dir(), `${runs++}-${name}`);

beforeAll(async () => {
  assertBuilt();
  const output = path('reference.csv');
  const result = await runCli(['run', ...STREAM, '--workers', '0', '--output', output, '--quiet']);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  reference = readFileSync(output);
  expect(reference.toString().split('\n').length).toBeGreaterThan(5000);
  shared = { checkpoints: path('checkpoints'), output: path('alerts.csv'), files: [] };
  await checkpointedRun(shared.output, shared.checkpoints);
  const first = checkpointFiles(shared.checkpoints).length;
  expect(first).toBeGreaterThanOrEqual(1);
  await checkpointedRun(shared.output, shared.checkpoints);
  shared.files = checkpointFiles(shared.checkpoints);
  expect(shared.files.length).toBeGreaterThan(first);
});

/** A copy of the shared checkpoint directory and output file. */
function copyOfShared(): { checkpoints: string; output: string; files: string[] } {
  const checkpoints = path('checkpoints');
  const output = path('alerts.csv');
  cpSync(shared.checkpoints, checkpoints, { recursive: true });
  cpSync(shared.output, output);
  return { checkpoints, output, files: checkpointFiles(checkpoints) };
}

/** Runs the job to completion with checkpoints (retaining 10) into `checkpoints`. */
async function checkpointedRun(output: string, checkpoints: string) {
  const result = await runCli([
    'run',
    ...STREAM,
    ...LAYOUT,
    ...['--output', output, '--checkpoint-dir', checkpoints],
    ...['--checkpoint-interval', '1000', '--checkpoint-retain', '10', '--quiet'],
  ]);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return result;
}

describe('resuming past a damaged newest checkpoint', () => {
  it.each([
    ['truncated', (file: string) => truncateSync(file, 1000), /\(truncated: body has 976 of \d+ bytes\)/],
    [
      'a flipped byte',
      (file: string) => {
        const bytes = readFileSync(file);
        bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
        writeFileSync(file, bytes);
      },
      /\(checksum mismatch\)/,
    ],
  ])(
    '%s: reported in one line, the previous checkpoint used, the same output',
    async (_label, damage, reason) => {
      const { output, checkpoints, files } = copyOfShared();
      const newest = files.at(-1)!;
      damage(newest);

      const resumed = await runCli([
        'run',
        ...STREAM,
        ...['--workers', '1', '--partitions', '16'],
        ...['--output', output, '--checkpoint-dir', checkpoints, '--checkpoint-interval', '1000', '--resume'],
      ]);
      expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
      const reports = linesMatching(resumed.stderr, /unusable/);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/^statecraft: checkpoint \S+ is unusable \(.+\); trying an older one$/);
      expect(reports[0]).toContain(newest);
      expect(reports[0]).toMatch(reason);
      const resumedFrom = linesMatching(resumed.stderr, /^statecraft: resuming from /);
      expect(resumedFrom).toHaveLength(1);
      expect(resumedFrom[0]).toContain(files.at(-2)!);
      expectSameBytes(output, reference, 'resumed past the damaged checkpoint');
      expect(parseSummary(resumed.stderr)).toMatchObject({ status: 'done', events: 600_000 });
    },
  );
});

describe('SIGINT with checkpoints', () => {
  it('exits 130 with a checkpoint where it stopped; --resume then completes the same output', async () => {
    let output = '';
    let common: string[] = [];
    let interrupted: CliResult | undefined;
    // Inline, a checkpoint is taken after the first chunk: interrupt as soon as it is on disk. A
    // run that finishes before the signal lands proves nothing, so it is tried again (3 times at most).
    for (let attempt = 0; attempt < 3 && interrupted?.code !== EXIT.interrupted; attempt++) {
      output = path('alerts.csv');
      const checkpoints = path('checkpoints');
      common = [...STREAM, '--output', output, '--checkpoint-dir', checkpoints];
      const child = startCli(['run', ...common, '--workers', '0', '--checkpoint-interval', '1000']);
      const done = collect(child, { timeoutMs: 60_000 });
      while (child.exitCode === null && checkpointFiles(checkpoints).length === 0) await sleep(5);
      child.kill('SIGINT');
      interrupted = await done;
    }
    expect(interrupted?.code, interrupted?.stderr).toBe(EXIT.interrupted);
    expect(parseSummary(interrupted!.stderr)?.status).toBe('interrupted');

    const resumed = await runCli(['run', ...common, ...LAYOUT, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect(linesMatching(resumed.stderr, /^statecraft: resuming from .*: chunk [1-9]\d*, /)).toHaveLength(1);
    expectSameBytes(output, reference, 'interrupted, then resumed');
  });
});

describe('resuming onto another output', () => {
  it('an output file shorter than the checkpoint committed: exit 73, one line, nothing truncated', async () => {
    const { output, checkpoints, files } = copyOfShared();
    const committed = decodeCheckpoint(readFileSync(files.at(-1)!)).outputPosition;
    expect(committed).toBeGreaterThan(100);
    writeFileSync(output, reference.subarray(0, 100));
    const result = await runCli([
      'run',
      ...STREAM,
      ...LAYOUT,
      ...['--output', output, '--checkpoint-dir', checkpoints, '--resume', '--quiet'],
    ]);
    expect(result.code).toBe(EXIT.cannotWrite);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toContain(`${output} has 100 bytes but the checkpoint committed ${committed}`);
    expect(readFileSync(output)).toEqual(reference.subarray(0, 100));
  });

  it('stdout: says alerts may repeat, and continues with the alerts after the committed ones', async () => {
    const { checkpoints, files } = copyOfShared();
    const committed = decodeCheckpoint(readFileSync(files.at(-1)!)).outputPosition;
    const result = await runCli([
      'run',
      ...STREAM,
      ...LAYOUT,
      ...['--output', '-', '--checkpoint-dir', checkpoints, '--resume'],
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(
      linesMatching(result.stderr, /^statecraft: warning: stdout cannot be rewound: .*at-least-once/),
    ).toHaveLength(1);
    // No second CSV header: the continuation of the committed output, byte for byte.
    expect(result.stdout.subarray(0, 200).toString()).toBe(
      reference.subarray(committed, committed + 200).toString(),
    );
    expect(result.stdout.equals(reference.subarray(committed))).toBe(true);
  });
});

describe('what --resume refuses, and when it starts over', () => {
  it('a checkpoint directory of another job (another seed): exit 2, one line, the output untouched', async () => {
    const { checkpoints } = copyOfShared();
    const output = path('other.csv');
    writeFileSync(output, 'the other job must not touch this\n');
    const result = await runCli([
      'run',
      ...streamOf(12),
      ...[...LAYOUT, '--output', output, '--checkpoint-dir', checkpoints, '--resume'],
    ]);
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toMatch(
      /is a checkpoint of another job \(.*"seed":11.*\), not of this one \(.*"seed":12.*\)/,
    );
    expect(result.stderr).toContain('use another --checkpoint-dir or remove it');
    expect(readFileSync(output, 'utf8')).toBe('the other job must not touch this\n');
  });

  it('the same stream with another --state-ttl is another job: exit 2', async () => {
    const checkpoints = path('checkpoints');
    // Inline, a stream of two chunks or more leaves a checkpoint after its first chunk.
    const small = ['--events', '200000', '--workers', '0', '--checkpoint-dir', checkpoints];
    const first = await runCli([
      'run',
      ...small,
      '--output',
      path('a.txt'),
      '--checkpoint-interval',
      '1000',
      '--state-ttl',
      '50000',
    ]);
    expect(first.code, first.stderr).toBe(EXIT.ok);
    expect(checkpointFiles(checkpoints).length).toBeGreaterThanOrEqual(1);
    const result = await runCli([
      'run',
      ...small,
      '--output',
      path('b.txt'),
      '--resume',
      '--state-ttl',
      '60000',
    ]);
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toMatch(/ttl 50000events\), not of this one \(.*ttl 60000events\)/);
  });

  it('an empty directory: starts from the beginning, truncating an old output file', async () => {
    const output = path('alerts.csv');
    writeFileSync(output, `garbage that is longer than the output ${'x'.repeat(reference.length)}\n`);
    const checkpoints = path('empty');
    const result = await runCli([
      'run',
      ...STREAM,
      ...LAYOUT,
      ...['--output', output, '--checkpoint-dir', checkpoints, '--checkpoint-interval', '1000', '--resume'],
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(
      linesMatching(result.stderr, /^statecraft: no checkpoint in .* yet: starting from the beginning$/),
    ).toHaveLength(1);
    expectSameBytes(output, reference, 'started over');
    expect(checkpointFiles(checkpoints).length).toBeGreaterThanOrEqual(1);
  });

  it('a run started over into a directory with checkpoints fails before its first: --resume starts over too', async () => {
    // The earlier runs' checkpoints describe output that the new run truncated when it started.
    const { output, checkpoints, files } = copyOfShared();
    const committed = decodeCheckpoint(readFileSync(files.at(-1)!)).outputPosition;
    const failed = await runCliWithWorkerDeaths(
      [
        'run',
        ...STREAM,
        ...LAYOUT,
        ...['--output', output, '--checkpoint-dir', checkpoints, '--checkpoint-interval', '10m'],
        ...['--max-restarts', '0'],
      ],
      '1@20000',
    );
    expect(failed.code, failed.stderr).toBe(EXIT.jobFailed);
    expect(statSync(output).size).toBeLessThan(committed);

    const resumed = await runCli([
      'run',
      ...STREAM,
      ...LAYOUT,
      ...['--output', output, '--checkpoint-dir', checkpoints, '--resume'],
    ]);
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect(
      linesMatching(resumed.stderr, /^statecraft: resuming from .*: chunk 0, 0 events done$/),
    ).toHaveLength(1);
    expectSameBytes(output, reference, 'started over, failed, resumed');
  });

  it.each([
    [['--input', '-'], /--checkpoint-dir cannot be used with stdin/],
    [
      ['--input', 'events.csv', '--dead-letter', 'dead.ndjson'],
      /--checkpoint-dir cannot be used with --dead-letter/,
    ],
    [['--input', 'events.csv', '--strict'], /--checkpoint-dir cannot be used with --strict/],
    [['--checkpoint-interval', 'soon'], /--checkpoint-interval must be a number of events or a duration/],
  ])('refuses %j with --checkpoint-dir: exit 2, one line', async (flags, message) => {
    const result = await runCli(['run', '--checkpoint-dir', path('refused'), ...flags], { stdin: 'x' });
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toMatch(message);
  });

  it('refuses --resume without --checkpoint-dir: exit 2, one line', async () => {
    const result = await runCli(['run', '--events', '10', '--resume']);
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toMatch(/--resume needs --checkpoint-dir/);
  });

  it('--state-ttl 0: exit 2, one line naming it', async () => {
    const ttl = '0';
    const result = await runCli(['run', '--events', '10', `--state-ttl=${ttl}`]);
    expect(result.code).toBe(EXIT.usage);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toContain(
      `--state-ttl: "${ttl}" is neither a positive number of events nor a duration`,
    );
  });
});

describe('injected worker deaths (test/support/cli-with-worker-deaths.mjs)', () => {
  it('one death: exit 0, the same output, restarts: 1 in --stats', async () => {
    const output = path('alerts.csv');
    const stats = path('stats.json');
    const result = await runCliWithWorkerDeaths(
      [
        'run',
        ...STREAM,
        ...LAYOUT,
        ...['--output', output, '--stats', stats, '--checkpoint-dir', path('checkpoints')],
        ...['--checkpoint-interval', '100000'],
      ],
      '1@150000',
    );
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expectSameBytes(output, reference, 'after a worker death');
    expect(JSON.parse(readFileSync(stats, 'utf8'))).toMatchObject({ restarts: 1, events: 600_000 });
    const restarts = linesMatching(result.stderr, /restart \d of \d/);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toMatch(
      /^statecraft: warning: worker 1 failed: .*; restart 1 of 3 from chunk \d+ in \d+ ms$/,
    );
  });

  it('more deaths than --max-restarts: exit 1 with one line saying after how many restarts', async () => {
    const output = path('alerts.csv');
    const result = await runCliWithWorkerDeaths(
      [
        'run',
        ...STREAM,
        ...LAYOUT,
        ...['--output', output, '--checkpoint-dir', path('checkpoints'), '--checkpoint-interval', '100000'],
        ...['--max-restarts', '1', '--quiet'],
      ],
      '1@100000,0@50000',
    );
    expect(result.code).toBe(EXIT.jobFailed);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toMatch(/^statecraft: worker 0 failed: .* \(after 1 restart\)\n$/);
  });

  it('the shipped command reads no fault injection from its environment', async () => {
    // The variable the command once read: worker deaths come only through the test entry now.
    const output = path('alerts.csv');
    const stats = path('stats.json');
    const result = await collect(
      startCli(
        [
          'run',
          ...STREAM,
          ...LAYOUT,
          ...['--output', output, '--stats', stats, '--checkpoint-dir', path('checkpoints')],
          ...['--checkpoint-interval', '100000'],
        ],
        undefined,
        { STATECRAFT_INJECT_WORKER_DEATH: '1@150000' },
      ),
    );
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(linesMatching(result.stderr, /restart \d of \d/)).toEqual([]);
    expect(JSON.parse(readFileSync(stats, 'utf8'))).toMatchObject({ restarts: 0, events: 600_000 });
    expectSameBytes(output, reference, 'with the old fault injection variable set');
  });
});
