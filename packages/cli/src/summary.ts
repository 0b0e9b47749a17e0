import { REJECT_DESCRIPTIONS, type RejectReason } from '@statecraft/engine';

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
}

const integer = new Intl.NumberFormat('en-US');

/** The human summary written to stderr at the end of a run. */
export function formatSummary(stats: RunStats): string {
  const rate =
    stats.eventsPerSecond >= 1e6
      ? `${(stats.eventsPerSecond / 1e6).toFixed(2)} M events/s`
      : `${integer.format(Math.round(stats.eventsPerSecond))} events/s`;
  const lines = [
    `${stats.interrupted ? 'interrupted' : 'done'}: ${integer.format(stats.events)} events, ` +
      `${integer.format(stats.alerts)} alerts, ${integer.format(stats.rejected)} rejected ` +
      `in ${(stats.elapsedMs / 1000).toFixed(2)} s (${rate}); ` +
      `workers ${stats.workers}, partitions ${stats.partitions}, machine ${stats.machine}`,
  ];
  const extras = [
    stats.resumedFromChunk > 0 ? `resumed at chunk ${integer.format(stats.resumedFromChunk)}` : '',
    stats.checkpoints > 0 ? `${integer.format(stats.checkpoints)} checkpoints` : '',
    stats.restarts > 0 ? `${integer.format(stats.restarts)} restarts` : '',
    stats.expiredAddresses > 0 ? `${integer.format(stats.expiredAddresses)} addresses expired (TTL)` : '',
  ].filter((extra) => extra !== '');
  if (extras.length > 0) lines.push(`  ${extras.join(', ')}`);
  for (const [reason, count] of Object.entries(stats.rejectedByReason)) {
    if (count > 0) {
      lines.push(
        `  rejected ${integer.format(count)}: ${REJECT_DESCRIPTIONS[reason as RejectReason]} (${reason})`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
