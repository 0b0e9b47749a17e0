import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameBytes } from './checkpoint-helpers.js';
import { assertBuilt, type CliResult, collect, EXIT, runCli, startCli, useTempDir } from './helpers.js';

// Real processes, real kills: `statecraft run` with checkpoints is killed (SIGKILL) at a random
// moment, then resumed (possibly with other --workers, --partitions and --source-parallelism) and
// perhaps killed again, until a run completes; the output file must then be byte for byte what an
// uninterrupted run writes. The moments are drawn from a seeded PRNG, so a failing trial can be
// run again; what a moment hits still depends on the machine's speed.

type Input = 'generator' | 'csv';
type Format = 'csv' | 'text' | 'ndjson';
/** early: before the process is up; random: anywhere; checkpoint/output: once one exists. */
type KillAt = 'early' | 'random' | 'after-checkpoint' | 'after-output';

interface Layout {
  workers: number;
  partitions: number;
  sourceParallelism?: number;
}

interface Trial {
  input: Input;
  format: Format;
  layout: Layout;
  killAt: KillAt;
  seed: number;
}

/**
 * The generator's 65,536-event chunks: 19 of them, well past the 8 that two workers have in flight,
 * so a run lives through several checkpoints even on an idle machine (with 10, a fast run could
 * finish before the kills meant to land after a checkpoint found one).
 */
const GENERATOR_EVENTS = 1_200_000;
/** About 28 MB of CSV: 7 chunks of 4 MiB (checkpoints need W ≤ 1 here: W = 2 has 8 chunks in flight). */
const CSV_EVENTS = 1_800_000;
/** All three formats across the trials; two per input (each needs its own reference run). */
const FORMATS: Record<Input, Format[]> = { generator: ['text', 'ndjson'], csv: ['csv', 'text'] };
const KILLS: KillAt[] = ['early', 'random', 'after-checkpoint', 'after-output'];
const TRIALS_PER_INPUT = 15;
/** Two trials at a time: much of a trial is waiting (process start-up, fsync, the kill's delay). */
const CONCURRENT_TRIALS = 2;

/** mulberry32: the same trials and moments on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

function randomLayout(random: () => number): Layout {
  const layout: Layout = { workers: pick(random, [0, 1, 2]), partitions: pick(random, [16, 128]) };
  if (random() < 0.5) layout.sourceParallelism = pick(random, [1, 2, 3]);
  return layout;
}

/** Every input × W ∈ {0,1,2} × P ∈ {16,128} at least twice, formats and kill moments rotating. */
const TRIALS: Trial[] = (['generator', 'csv'] as const).flatMap((input, i) =>
  Array.from({ length: TRIALS_PER_INPUT }, (_, j) => ({
    input,
    format: FORMATS[input][(j + Math.floor(j / 3)) % 2]!,
    layout: { workers: j % 3, partitions: Math.floor(j / 3) % 2 === 0 ? 16 : 128 },
    killAt: KILLS[(j + i) % KILLS.length]!,
    seed: 1000 + i * 100 + j,
  })),
);

const dir = useTempDir();
let csvInput: string;
const references = new Map<string, Buffer>();

const inputArgs = (input: Input) =>
  input === 'generator'
    ? ['--events', String(GENERATOR_EVENTS), '--seed', '3', '--error-rate', '0.01']
    : ['--input', csvInput];
const layoutArgs = (layout: Layout) => [
  ...['--workers', String(layout.workers), '--partitions', String(layout.partitions)],
  ...(layout.sourceParallelism === undefined
    ? []
    : ['--source-parallelism', String(layout.sourceParallelism)]),
];

beforeAll(async () => {
  assertBuilt();
  csvInput = join(dir(), 'events.csv');
  const generated = await runCli(
    [
      'generate',
      '--events',
      String(CSV_EVENTS),
      '--seed',
      '5',
      '--error-rate',
      '0.01',
      '--out',
      csvInput,
      '--quiet',
    ],
    { timeoutMs: 120_000 },
  );
  expect(generated.code, generated.stderr).toBe(EXIT.ok);
  expect(statSync(csvInput).size).toBeGreaterThan(6 * 4 * 1024 * 1024);
  const pairs = (['generator', 'csv'] as const).flatMap((input) =>
    FORMATS[input].map((format) => [input, format] as const),
  );
  await inParallel(pairs, async ([input, format]) => {
    const output = join(dir(), `reference-${input}.${format}`);
    const result = await runCli(
      ['run', ...inputArgs(input), '--workers', '0', '--format', format, '--output', output, '--quiet'],
      { timeoutMs: 120_000 },
    );
    expect(result.code, result.stderr).toBe(EXIT.ok);
    references.set(`${input} ${format}`, readFileSync(output));
  });
}, 300_000);

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENT_TRIALS }, worker));
}

const hasCheckpoint = (checkpoints: string) =>
  existsSync(checkpoints) && readdirSync(checkpoints).some((name) => name.endsWith('.ckpt'));
const hasOutput = (output: string) => existsSync(output) && statSync(output).size > 0;

/** Waits until `ready()` or the child exits; false if it exited first. */
async function waitFor(child: ChildProcess, ready: () => boolean): Promise<boolean> {
  while (child.exitCode === null && child.signalCode === null) {
    if (ready()) return true;
    await sleep(10);
  }
  return false;
}

/** Kills the child (SIGKILL) at the chosen moment, unless it finished first. */
async function killAt(
  child: ChildProcess,
  killAt: KillAt,
  random: () => number,
  paths: { checkpoints: string; output: string },
): Promise<void> {
  if (killAt === 'early') await sleep(random() * 80);
  else if (killAt === 'random') await sleep(random() * 1500);
  else {
    const ready =
      killAt === 'after-checkpoint' ? () => hasCheckpoint(paths.checkpoints) : () => hasOutput(paths.output);
    if (!(await waitFor(child, ready))) return;
    await sleep(random() * 200);
  }
  child.kill('SIGKILL');
}

interface TrialReport {
  kills: number;
  resumedFromCheckpoint: number;
  startedOver: number;
  runs: string[];
}

async function runTrial(trial: Trial): Promise<TrialReport> {
  const random = prng(trial.seed);
  const base = join(dir(), `trial-${trial.seed}`);
  const paths = { checkpoints: `${base}-checkpoints`, output: `${base}.${trial.format}` };
  const report: TrialReport = { kills: 0, resumedFromCheckpoint: 0, startedOver: 0, runs: [] };
  let layout = trial.layout;
  let kill: KillAt | undefined = trial.killAt;
  for (let run = 0; ; run++) {
    const args = [
      'run',
      ...inputArgs(trial.input),
      ...layoutArgs(layout),
      ...['--format', trial.format, '--output', paths.output],
      ...[
        '--checkpoint-dir',
        paths.checkpoints,
        '--checkpoint-interval',
        String(pick(random, [50_000, 200_000])),
      ],
      // The first run starts afresh (as a user would); every later one resumes.
      ...(run === 0 ? [] : ['--resume']),
    ];
    const child = startCli(args);
    const done = collect(child, { timeoutMs: 120_000 });
    if (kill !== undefined) await killAt(child, kill, random, paths);
    const result: CliResult = await done;
    const killed = result.signal === 'SIGKILL';
    report.runs.push(
      `${kill ?? 'no kill'} ${JSON.stringify(layout)}: ${killed ? 'killed' : `exit ${result.code}`}`,
    );
    if (/^statecraft: resuming from /m.test(result.stderr)) report.resumedFromCheckpoint++;
    if (/^statecraft: no checkpoint in .* yet/m.test(result.stderr)) report.startedOver++;
    if (!killed) {
      expect(result.code, `${report.runs.join('; ')}\n${result.stderr}`).toBe(EXIT.ok);
      return report;
    }
    report.kills++;
    // Resume with another layout; kill again now and then, three times at most.
    layout = randomLayout(random);
    kill =
      report.kills < 3 && random() < 0.2 ? pick(random, ['random', 'after-checkpoint'] as const) : undefined;
  }
}

describe('SIGKILL at random moments, then --resume until done: the uninterrupted output, byte for byte', () => {
  const reports: TrialReport[] = [];

  it(`${TRIALS.length} trials over the generator and a CSV file`, { timeout: 600_000 }, async () => {
    await inParallel(TRIALS, async (trial) => {
      const report = await runTrial(trial);
      reports.push(report);
      const label = `trial ${trial.seed} (${trial.input}, ${trial.format}, ${JSON.stringify(trial.layout)}, ${trial.killAt}): ${report.runs.join('; ')}`;
      expectSameBytes(
        `${join(dir(), `trial-${trial.seed}`)}.${trial.format}`,
        references.get(`${trial.input} ${trial.format}`)!,
        label,
      );
    });
    expect(reports).toHaveLength(TRIALS.length);
  });

  it('the trials did kill runs, and resumed both from checkpoints and from the beginning', () => {
    const total = (key: 'kills' | 'resumedFromCheckpoint' | 'startedOver') =>
      reports.reduce((n, r) => n + r[key], 0);
    // Lenient bounds: which moment a kill hits depends on the machine, but not this much.
    expect(total('kills')).toBeGreaterThanOrEqual(TRIALS.length / 2);
    expect(total('resumedFromCheckpoint')).toBeGreaterThanOrEqual(3);
    expect(total('startedOver')).toBeGreaterThanOrEqual(3);
  });
});
