import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureJob, measureMapBaseline, type RunMeasurement } from './child-runs.js';
import type { MachineInfo } from './machine-info.js';
import { type Combination, combinations, type SweepPlan } from './plan.js';
import { BASELINE_WORKERS, buildRows, type MeasuredRuns, type ResultRow } from './rows.js';

/** results.json: `machine` and `rows` are read by other tools; `sweep` says how they were measured. */
export interface SweepResults {
  machine: MachineInfo;
  sweep: {
    events: number;
    repeat: number;
    workers: readonly number[];
    partitions: readonly number[];
    /** Pairs not run because workers > partitions. */
    skipped: Combination[];
    /** The inline row the baseline's ratioToInline is computed against. */
    baselineComparedTo: Combination | null;
    startedAt: string;
    elapsedMs: number;
  };
  rows: ResultRow[];
}

/**
 * Runs every combination `repeat` times, each run a fresh `statecraft run` process, after one
 * warm-up run; the rounds are interleaved (every combination, then the baseline, per round) so that
 * drift in the machine's load spreads over all rows. `log` gets one progress line per run.
 */
export async function runSweep(
  plan: SweepPlan,
  machine: MachineInfo,
  log: (line: string) => void,
): Promise<SweepResults> {
  const startedAt = new Date();
  const started = performance.now();
  const { runnable, skipped } = combinations(plan);
  const measured: MeasuredRuns[] = [
    ...runnable.map((combination) => ({ combination, runs: [] })),
    { combination: BASELINE_WORKERS, runs: [] },
  ];
  const total = measured.length * plan.repeat + 1;
  const dir = await mkdtemp(join(tmpdir(), 'statecraft-bench-'));
  let done = 0;
  const report = (label: string, run: RunMeasurement) => {
    done++;
    log(`[${String(done).padStart(String(total).length)}/${total}] ${label}: ${describeRun(run)}`);
  };
  try {
    const warmUp = runnable[0]!;
    const stats = join(dir, 'stats.json');
    report(
      `warm-up, ${describeCombination(warmUp)}`,
      await measureJob(plan.events, warmUp.workers, warmUp.partitions, stats),
    );
    for (let round = 1; round <= plan.repeat; round++) {
      for (const { combination, runs } of measured) {
        const run =
          combination === BASELINE_WORKERS
            ? await measureMapBaseline(plan.events)
            : await measureJob(plan.events, combination.workers, combination.partitions, stats);
        runs.push(run);
        report(`${describeCombination(combination)}, run ${round}/${plan.repeat}`, run);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const { rows, baselineComparedTo } = buildRows(measured);
  return {
    machine,
    sweep: {
      events: plan.events,
      repeat: plan.repeat,
      workers: plan.workers,
      partitions: plan.partitions,
      skipped,
      baselineComparedTo,
      startedAt: startedAt.toISOString(),
      elapsedMs: Math.round(performance.now() - started),
    },
    rows,
  };
}

export function describeCombination(combination: Combination | typeof BASELINE_WORKERS): string {
  return combination === BASELINE_WORKERS
    ? BASELINE_WORKERS
    : `workers ${combination.workers}, partitions ${combination.partitions}`;
}

function describeRun(run: RunMeasurement): string {
  const parts = [`${(run.eventsPerSecond / 1e6).toFixed(2)} M events/s`];
  if (run.p99BatchMs !== null) parts.push(`p99 batch ${run.p99BatchMs.toFixed(1)} ms`);
  parts.push(`peak RSS ${Math.round(run.peakRssBytes / 2 ** 20)} MiB`);
  return parts.join(', ');
}
