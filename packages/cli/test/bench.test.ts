import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { combinations } from '../src/bench/plan.js';
import { buildRows } from '../src/bench/rows.js';
import { median } from '../src/bench/stats.js';
import {
  assertBuilt,
  type CliResult,
  collect,
  EXIT,
  linesOf,
  ROOT,
  runCli,
  stderrProblems,
  useTempDir,
} from './helpers.js';

const BASELINE = join(ROOT, 'packages/cli/dist/bench/map-baseline.js');
const ROW_FIELDS = [
  'workers',
  'partitions',
  'events',
  'eventsPerSecond',
  'min',
  'max',
  'p50BatchMs',
  'p99BatchMs',
  'peakRssBytes',
  'ratioToInline',
];

interface Row {
  workers: number | 'baseline-map';
  partitions: number | null;
  events: number;
  eventsPerSecond: number;
  min: number;
  max: number;
  p50BatchMs: number | null;
  p99BatchMs: number | null;
  peakRssBytes: number;
  ratioToInline: number | null;
}

interface Results {
  machine: Record<string, unknown>;
  sweep: { baselineComparedTo: { workers: number; partitions: number } | null };
  rows: Row[];
}

beforeAll(assertBuilt);
const dir = useTempDir();

/** Each test below starts processes; the machine may be busy (the timing is never asserted). */
const TIMEOUT = 30_000;

const runBaseline = (args: string[]): Promise<CliResult> =>
  collect(spawn(process.execPath, [BASELINE, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));

describe('statecraft bench: a small sweep', () => {
  const events = 20_000;
  const workers = [0, 1];
  const partitions = [1, 16];
  let out: string;
  let sweep: CliResult;
  let results: Results;

  beforeAll(async () => {
    out = join(dir(), 'sweep', 'nested'); // created with its parents
    sweep = await runCli(
      [
        'bench',
        ...['--workers', workers.join(','), '--partitions', partitions.join(',')],
        ...['--events', String(events), '--repeat', '2', '--out', out],
      ],
      { timeoutMs: 110_000 },
    );
    results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
  }, 120_000);

  it('prints the machine first, then a progress line per run', () => {
    expect(sweep.code, sweep.stderr).toBe(EXIT.ok);
    const lines = linesOf(sweep.stderr);
    expect(lines[0]).toMatch(/^machine: .+, \d+ cores, Node v\d+/);
    expect(lines[0]).toContain(`${availableParallelism()} cores, Node ${process.version}`);
    const progress = lines.filter((line) => /^\[\s*\d+\/\d+\] /.test(line));
    // one warm-up, then 2 rounds of 4 combinations and the baseline
    expect(progress).toHaveLength(1 + 2 * 5);
    expect(progress[0]).toContain('warm-up');
    expect(progress.filter((line) => line.includes('baseline-map'))).toHaveLength(2);
  });

  it('writes results.json with the machine and exactly the row fields', () => {
    expect(Object.keys(results.machine).sort()).toEqual(['cores', 'cpu', 'node']);
    expect(results.machine).toMatchObject({ cores: availableParallelism(), node: process.version });
    expect(typeof results.machine.cpu).toBe('string');
    for (const row of results.rows) expect(Object.keys(row)).toEqual(ROW_FIELDS);
  });

  it('has one row per combination plus the baseline, medians within [min, max]', () => {
    const pairs = results.rows.map((row) => `${row.workers}/${row.partitions}`);
    expect(pairs.sort()).toEqual(['0/1', '0/16', '1/1', '1/16', 'baseline-map/null']);
    for (const row of results.rows) {
      expect(row.events).toBe(events);
      expect(row.eventsPerSecond).toBeGreaterThan(0);
      expect(row.min).toBeLessThanOrEqual(row.eventsPerSecond);
      expect(row.eventsPerSecond).toBeLessThanOrEqual(row.max);
      expect(Number.isInteger(row.peakRssBytes)).toBe(true);
      expect(row.peakRssBytes).toBeGreaterThan(2 ** 20);
      if (row.workers === 'baseline-map') {
        expect(row.p50BatchMs).toBeNull();
        expect(row.p99BatchMs).toBeNull();
      } else {
        expect(row.p50BatchMs).toBeTypeOf('number');
        expect(row.p99BatchMs!).toBeGreaterThanOrEqual(row.p50BatchMs!);
      }
    }
  });

  it('computes ratioToInline against the inline row of the same partitions', () => {
    const inline = (p: number) => results.rows.find((row) => row.workers === 0 && row.partitions === p)!;
    for (const row of results.rows.filter((r) => r.workers !== 'baseline-map')) {
      expect(row.ratioToInline!).toBeCloseTo(
        row.eventsPerSecond / inline(row.partitions!).eventsPerSecond,
        3,
      );
    }
    // Without partitions 128 in the sweep, the baseline is compared with the nearest inline row.
    expect(results.sweep.baselineComparedTo).toEqual({ workers: 0, partitions: 16 });
    const baseline = results.rows.find((row) => row.workers === 'baseline-map')!;
    expect(baseline.ratioToInline!).toBeCloseTo(baseline.eventsPerSecond / inline(16).eventsPerSecond, 3);
  });

  it('writes results.md with a table row per combination', async () => {
    const md = await readFile(join(out, 'results.md'), 'utf8');
    for (const w of workers) {
      for (const p of partitions) expect(md).toMatch(new RegExp(`^\\| ${w} \\| ${p} \\| [\\d.]+ \\|`, 'm'));
    }
    expect(md).toMatch(/^\| baseline-map \| – \| [\d.]+ \|/m);
    expect(sweep.stdout.toString()).toBe(md); // the table is printed on stdout too
  });

  it('draws chart.svg with one line per worker count and the axis titles', async () => {
    const svg = await readFile(join(out, 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const lines = svg.match(/<path [^>]*aria-roledescription="line mark"/g) ?? [];
    expect(lines).toHaveLength(workers.length);
    expect(svg).toContain('>partitions (key groups, log scale)</text>');
    expect(svg).toContain('>M events/s (median)</text>');
    expect(svg).toContain('0 (inline)');
    expect(svg).toContain('baseline-map');
  });
});

describe('statecraft bench: bad usage', () => {
  it.each([
    [['--workers', '-1'], /--workers must be a comma-separated list of integers/],
    [['--workers', '1,x'], /--workers must be a comma-separated list of integers/],
    [['--partitions', '0'], /--partitions must be a comma-separated list of integers in 1\.\./],
    [['--repeat', '0'], /--repeat must be an integer in 1\.\.1000/],
    [['--events', '0'], /--events must be an integer ≥ 1/],
    [['--workers', '4', '--partitions', '2'], /nothing to run/],
  ])(
    '%j exits 2 with one line',
    async (flags, message) => {
      const result = await runCli(['bench', ...flags, '--out', join(dir(), 'unused')]);
      expect(result.code, result.stderr).toBe(EXIT.usage);
      expect(stderrProblems(result.stderr), result.stderr).toEqual([]);
      expect(result.stderr).toMatch(message);
    },
    TIMEOUT,
  );

  it(
    'exits 73 when the output directory cannot be created',
    async () => {
      const file = join(dir(), 'a-file');
      await writeFile(file, 'x');
      const result = await runCli(['bench', '--out', join(file, 'sub'), '--events', '1000']);
      expect(result.code, result.stderr).toBe(EXIT.cannotWrite);
      expect(stderrProblems(result.stderr), result.stderr).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('the Map baseline program', () => {
  const FIELDS = ['events', 'alerts', 'elapsedMs', 'eventsPerSecond', 'peakRssBytes'];

  it(
    'prints one JSON line with the fields, and no alerts at error rate 0',
    async () => {
      const result = await runBaseline(['--events', '30000']);
      expect(result.code, result.stderr).toBe(0);
      const lines = linesOf(result.stdout);
      expect(lines).toHaveLength(1);
      const output = JSON.parse(lines[0]!) as Record<string, number>;
      expect(Object.keys(output)).toEqual(FIELDS);
      expect(output).toMatchObject({ events: 30_000, alerts: 0 });
      expect(output.elapsedMs).toBeGreaterThan(0);
      expect(output.eventsPerSecond).toBeCloseTo((30_000 * 1000) / output.elapsedMs!, 3);
      expect(output.peakRssBytes).toBeGreaterThan(2 ** 20);
    },
    TIMEOUT,
  );

  it(
    'finds the same alerts as statecraft run with an error rate (the same event stream)',
    async () => {
      const events = 60_000;
      const baseline = await runBaseline(['--events', String(events), '--error-rate', '0.01', '--seed', '9']);
      expect(baseline.code, baseline.stderr).toBe(0);
      const { alerts } = JSON.parse(baseline.stdout.toString()) as { alerts: number };
      expect(alerts).toBeGreaterThan(0);
      expect(alerts).toBeLessThan(events * 0.01 * 2);

      const statsPath = join(dir(), 'run-stats.json');
      const run = await runCli([
        'run',
        ...['--events', String(events), '--error-rate', '0.01', '--seed', '9'],
        ...['--workers', '1', '--output', '/dev/null', '--stats', statsPath, '--quiet'],
      ]);
      expect(run.code, run.stderr).toBe(EXIT.ok);
      const stats = JSON.parse(await readFile(statsPath, 'utf8')) as Record<string, unknown>;
      expect(stats.alerts).toBe(alerts);
      // --stats keeps its fields and adds the peak RSS the sweep reads.
      expect(stats).toMatchObject({ events, rejected: 0, workers: 1, interrupted: false });
      expect(Number.isInteger(stats.peakRssBytes)).toBe(true);
      expect(stats.peakRssBytes as number).toBeGreaterThan(2 ** 20);
    },
    TIMEOUT,
  );

  it(
    'refuses a bad flag with exit 2',
    async () => {
      const result = await runBaseline(['--events', '-5']);
      expect(result.code).toBe(2);
      expect(linesOf(result.stderr)).toHaveLength(1);
    },
    TIMEOUT,
  );
});

describe('sweep arithmetic', () => {
  const run = (eventsPerSecond: number, p99 = 2) => ({
    events: 10,
    eventsPerSecond,
    p50BatchMs: 1,
    p99BatchMs: p99,
    peakRssBytes: 100,
  });

  it('takes medians, min, max and ratios to the inline row; the baseline against partitions 128', () => {
    const { rows, baselineComparedTo } = buildRows([
      { combination: { workers: 0, partitions: 16 }, runs: [run(50), run(70), run(60)] },
      { combination: { workers: 0, partitions: 128 }, runs: [run(100), run(80), run(90), run(120)] },
      { combination: { workers: 2, partitions: 128 }, runs: [run(190, 5), run(170, 7), run(180, 9)] },
      { combination: 'baseline-map', runs: [run(45), run(40), run(50)] },
    ]);
    expect(rows.map((row) => [row.eventsPerSecond, row.min, row.max])).toEqual([
      [60, 50, 70],
      [95, 80, 120],
      [180, 170, 190],
      [45, 40, 50],
    ]);
    expect(rows.map((row) => row.ratioToInline)).toEqual([1, 1, 1.8947, 0.4737]);
    expect(rows[2]!.p99BatchMs).toBe(7);
    expect(baselineComparedTo).toEqual({ workers: 0, partitions: 128 });
  });

  it('leaves ratios null without an inline row', () => {
    const { rows, baselineComparedTo } = buildRows([
      { combination: { workers: 1, partitions: 16 }, runs: [run(50)] },
      { combination: 'baseline-map', runs: [run(45)] },
    ]);
    expect(rows.map((row) => row.ratioToInline)).toEqual([null, null]);
    expect(baselineComparedTo).toBeNull();
  });

  it('skips pairs with more workers than partitions', () => {
    const { runnable, skipped } = combinations({
      workers: [0, 2],
      partitions: [1, 16],
      events: 1,
      repeat: 1,
    });
    expect(runnable).toEqual([
      { workers: 0, partitions: 1 },
      { workers: 0, partitions: 16 },
      { workers: 2, partitions: 16 },
    ]);
    expect(skipped).toEqual([{ workers: 2, partitions: 1 }]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
