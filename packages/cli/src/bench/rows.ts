import type { RunMeasurement } from './child-runs.js';
import { BASELINE_REFERENCE_PARTITIONS, type Combination } from './plan.js';
import { median, round, spread } from './stats.js';

/** The `workers` value of the Map baseline's row. */
export const BASELINE_WORKERS = 'baseline-map';

/** One row of results.json; the field names are read by other tools, keep them. */
export interface ResultRow {
  /** Worker threads (0 = inline), or `"baseline-map"` for the hand-written baseline. */
  workers: number | typeof BASELINE_WORKERS;
  /** Key groups; null for the baseline. */
  partitions: number | null;
  events: number;
  /** The median of the runs' events per second. */
  eventsPerSecond: number;
  min: number;
  max: number;
  /** Medians over the runs of each run's p50 and p99 batch latency; null for the baseline. */
  p50BatchMs: number | null;
  p99BatchMs: number | null;
  /** The largest peak RSS of the runs. */
  peakRssBytes: number;
  /** eventsPerSecond / that of the inline (workers 0) row with the same partitions; null without one. */
  ratioToInline: number | null;
}

export interface MeasuredRuns {
  combination: Combination | typeof BASELINE_WORKERS;
  runs: RunMeasurement[];
}

/**
 * Aggregates the runs into rows. Each job row is compared with the inline row of its partition
 * count; the baseline with the inline row at 128 partitions (or the nearest partition count measured),
 * returned as `baselineComparedTo`.
 */
export function buildRows(measured: readonly MeasuredRuns[]): {
  rows: ResultRow[];
  baselineComparedTo: Combination | null;
} {
  const rows = measured.map(aggregate);
  const inline = rows.filter((row) => row.workers === 0);
  const reference = nearestInline(inline);
  for (const row of rows) {
    const base =
      row.workers === BASELINE_WORKERS ? reference : inline.find((r) => r.partitions === row.partitions);
    row.ratioToInline = base === undefined ? null : round(row.eventsPerSecond / base.eventsPerSecond, 4);
  }
  return {
    rows,
    baselineComparedTo: reference === undefined ? null : { workers: 0, partitions: reference.partitions! },
  };
}

function aggregate({ combination, runs }: MeasuredRuns): ResultRow {
  const rates = spread(runs.map((run) => run.eventsPerSecond));
  const latency = (pick: (run: RunMeasurement) => number | null) => {
    const values = runs.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : round(median(values), 3);
  };
  return {
    workers: combination === BASELINE_WORKERS ? BASELINE_WORKERS : combination.workers,
    partitions: combination === BASELINE_WORKERS ? null : combination.partitions,
    events: runs[0]?.events ?? 0,
    eventsPerSecond: Math.round(rates.median),
    min: Math.round(rates.min),
    max: Math.round(rates.max),
    p50BatchMs: latency((run) => run.p50BatchMs),
    p99BatchMs: latency((run) => run.p99BatchMs),
    peakRssBytes: Math.max(...runs.map((run) => run.peakRssBytes)),
    ratioToInline: null,
  };
}

function nearestInline(inline: readonly ResultRow[]): ResultRow | undefined {
  const distance = (row: ResultRow) => Math.abs(Math.log2(row.partitions! / BASELINE_REFERENCE_PARTITIONS));
  return [...inline].sort((a, b) => distance(a) - distance(b))[0];
}
