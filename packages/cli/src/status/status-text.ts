import { bar, compact, count, duration, percent, rate } from './format.js';
import type { StatusSnapshot } from './status-snapshot.js';

/** What the status area's title line names. */
export interface RunTitle {
  source: string;
  machine: string;
  workers: number;
  partitions: number;
}

const BAR_WIDTH = 28;
const WORKER_BAR_WIDTH = 8;

function progressLine(s: StatusSnapshot): string {
  const { fraction, etaSeconds, text } = s.progress;
  if (fraction === undefined) return `progress  ${text}`;
  const eta = etaSeconds === undefined ? '' : `  ETA ${duration(etaSeconds)}`;
  return `progress  ${bar(fraction, BAR_WIDTH)} ${percent(fraction).padStart(4)}  ${text}${eta}`;
}

function workersLine(busy: readonly number[]): string {
  // Bars while they fit comfortably; beyond 8 workers, percentages only.
  const cells = busy.map((ratio, w) =>
    busy.length <= 8
      ? `${w} ${bar(ratio, WORKER_BAR_WIDTH)} ${percent(ratio).padStart(4)}`
      : `${w}:${percent(ratio)}`,
  );
  return `busy      ${cells.join('  ')}`;
}

/** The lines of the live status area (before fitting to the terminal's width). */
export function statusLines(s: StatusSnapshot, title: RunTitle): string[] {
  const live = s.liveAddresses === undefined ? '' : ` · ${count(s.liveAddresses)} live addresses`;
  const batch = s.batchMs === undefined ? '' : ` · batch ${s.batchMs.toFixed(1)} ms`;
  const checkpoint = s.checkpoints > 0 ? ` (last ${Math.round(s.lastCheckpointMs)} ms)` : '';
  return [
    `statecraft run · ${title.source} · machine ${title.machine} · ${title.workers} workers · ${title.partitions} partitions · ${duration(s.elapsedMs / 1000)}`,
    progressLine(s),
    `rate      ${rate(s.eventsPerSecond)} now · ${rate(s.averageEventsPerSecond)} average`,
    `events    ${count(s.events)} processed · ${count(s.alerts)} alerts · ${count(s.rejected)} rejected${live}`,
    workersLine(s.workerBusy),
    `queue     ${count(s.inFlightChunks)} chunks in flight · key-group skew ${s.keyGroupSkew.toFixed(2)}${batch}`,
    `recovery  ${count(s.checkpoints)} checkpoints${checkpoint} · ${count(s.restarts)} restarts`,
  ];
}

/** One plain line for a log that is not a terminal. */
export function progressText(s: StatusSnapshot): string {
  const { fraction, etaSeconds, text } = s.progress;
  const where =
    fraction === undefined
      ? text
      : `${text} (${percent(fraction)}${etaSeconds === undefined ? '' : `, ETA ${duration(etaSeconds)}`})`;
  const parts = [
    `progress ${duration(s.elapsedMs / 1000)}: ${where}`,
    `${rate(s.eventsPerSecond)} (average ${compact(s.averageEventsPerSecond)})`,
    `${count(s.events)} events`,
    `${count(s.alerts)} alerts`,
    `${count(s.rejected)} rejected`,
    `busy ${s.workerBusy.map(percent).join(' ')}`,
    `queue ${s.inFlightChunks}`,
    `skew ${s.keyGroupSkew.toFixed(2)}`,
  ];
  if (s.liveAddresses !== undefined) parts.push(`live ${count(s.liveAddresses)}`);
  parts.push(`checkpoints ${s.checkpoints}`, `restarts ${s.restarts}`);
  return parts.join(', ');
}

/** The same as fields of a JSON log record. */
export function progressFields(s: StatusSnapshot): Record<string, unknown> {
  const { progress, done: _done, ...rest } = s;
  return { ...rest, progress: { done: progress.done, total: progress.total, eta: progress.etaSeconds } };
}
