import { writeFileSync } from 'node:fs';
import { describeFsError, type JobSummary, REJECT_DESCRIPTIONS, type RejectReason } from '@statecraft/engine';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { logger } from './log/logger.js';
import { count, decimal } from './status/format.js';

export interface RunStats {
  events: number;
  alerts: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  elapsedMs: number;
  eventsPerSecond: number;
  workers: number;
  partitions: number;
  chunks: number;
  /** Chunks done on the main thread before the worker threads took over (--head-start). */
  headStartChunks: number;
  liveAddresses: number;
  p50BatchMs: number;
  p99BatchMs: number;
  /** Peak resident set size of the process (`process.resourceUsage().maxRSS`), in bytes. */
  peakRssBytes: number;
  machine: string;
  source: string;
  interrupted: boolean;
  /** Addresses dropped by --state-ttl. */
  expiredAddresses: number;
  checkpoints: number;
  /** Time spent completing checkpoints (off the processing path), in total. */
  checkpointMs: number;
  restarts: number;
  /** The chunk a --resume run started at (0 for a fresh run). */
  resumedFromChunk: number;
  /** Max / mean events per key group (1 is even). */
  keyGroupSkew: number;
  /** Per worker, the share of the run it spent producing and applying chunks (0..1). */
  workerBusy: number[];
}

type Row = [field: keyof RunStats, value: string];

/** The stats file's fields, one per row, in a human form. */
function tableRows(stats: RunStats): Row[] {
  return [
    ['events', count(stats.events)],
    ['alerts', count(stats.alerts)],
    ['rejected', count(stats.rejected)],
    ['elapsedMs', count(stats.elapsedMs)],
    ['eventsPerSecond', count(stats.eventsPerSecond)],
    ['workers', count(stats.workers)],
    ['partitions', count(stats.partitions)],
    ['chunks', count(stats.chunks)],
    ['headStartChunks', count(stats.headStartChunks)],
    ['liveAddresses', count(stats.liveAddresses)],
    ['expiredAddresses', count(stats.expiredAddresses)],
    ['p50BatchMs', decimal(stats.p50BatchMs)],
    ['p99BatchMs', decimal(stats.p99BatchMs)],
    ['keyGroupSkew', decimal(stats.keyGroupSkew)],
    ['workerBusy', stats.workerBusy.map((ratio) => `${Math.round(ratio * 100)}%`).join(' ') || '-'],
    ['checkpoints', count(stats.checkpoints)],
    ['checkpointMs', count(stats.checkpointMs)],
    ['restarts', count(stats.restarts)],
    ['resumedFromChunk', count(stats.resumedFromChunk)],
    ['peakRssBytes', `${(stats.peakRssBytes / 1024 ** 2).toFixed(1)} MiB`],
    ['machine', stats.machine],
    ['source', stats.source],
    ['interrupted', String(stats.interrupted)],
  ];
}

/**
 * The human summary written to stderr at the end of a run: one line, then a table of the fields
 * `--stats` writes (same names), then the rejected records by reason.
 */
export function formatSummary(stats: RunStats): string {
  const lines = [summaryLine(stats)];
  const rows = tableRows(stats);
  const width = Math.max(...rows.map(([field]) => field.length));
  for (const [field, value] of rows) lines.push(`  ${field.padEnd(width)}  ${value}`);
  for (const [reason, rejected] of Object.entries(stats.rejectedByReason)) {
    if (rejected > 0) {
      lines.push(`  rejected ${count(rejected)}: ${REJECT_DESCRIPTIONS[reason as RejectReason]} (${reason})`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `done: 1,000 events, 57 alerts, 0 rejected in 0.12 s (...)`. */
function summaryLine(stats: RunStats): string {
  const rate =
    stats.eventsPerSecond >= 1e6
      ? `${(stats.eventsPerSecond / 1e6).toFixed(2)} M events/s`
      : `${count(stats.eventsPerSecond)} events/s`;
  return (
    `${stats.interrupted ? 'interrupted' : 'done'}: ${count(stats.events)} events, ` +
    `${count(stats.alerts)} alerts, ${count(stats.rejected)} rejected ` +
    `in ${(stats.elapsedMs / 1000).toFixed(2)} s (${rate}); ` +
    `workers ${stats.workers}, partitions ${stats.partitions}, machine ${stats.machine}`
  );
}

/** The summary on stderr: the table as text, or one JSON record holding the stats (--log-format json). */
export function reportSummary(stats: RunStats, quiet: boolean): void {
  if (quiet) return;
  if (logger.json) logger.info(summaryLine(stats), { stats });
  else logger.print(formatSummary(stats));
}

/** The stats of a finished job, from its summary and what only the command knows. */
export function runStatsOf(
  summary: JobSummary,
  run: {
    rejectedByReason: RunStats['rejectedByReason'];
    machine: string;
    source: string;
    load: Pick<RunStats, 'keyGroupSkew' | 'workerBusy'>;
  },
): RunStats {
  return {
    events: summary.events,
    alerts: summary.outputs,
    rejected: Object.values(run.rejectedByReason).reduce((n, count) => n + (count ?? 0), 0),
    rejectedByReason: run.rejectedByReason,
    elapsedMs: summary.elapsedMs,
    eventsPerSecond: summary.eventsPerSecond,
    workers: summary.workers,
    partitions: summary.partitions,
    chunks: summary.chunks,
    headStartChunks: summary.headStartChunks,
    liveAddresses: summary.liveKeys,
    p50BatchMs: summary.p50BatchMs,
    p99BatchMs: summary.p99BatchMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    machine: run.machine,
    source: run.source,
    interrupted: summary.interrupted,
    expiredAddresses: summary.expiredKeys,
    checkpoints: summary.checkpoints.taken,
    checkpointMs: summary.checkpoints.totalMs,
    restarts: summary.restarts,
    resumedFromChunk: summary.resumedFromChunk,
    ...run.load,
  };
}

/** --stats: the run's stats as JSON (exit 73 when the file cannot be written). */
export function writeStats(path: string, stats: RunStats): void {
  try {
    writeFileSync(path, `${JSON.stringify(stats, null, 2)}\n`);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${describeFsError(error)}`, ExitCode.cannotWrite);
  }
}
