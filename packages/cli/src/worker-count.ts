import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type InputFormat, inputFormatOfPath } from '@statecraft/engine';

/**
 * Below this many events a job runs inline unless --workers says otherwise: starting threads and
 * loading the engine into each costs more than two cores win back on a short job (measured with
 * `pnpm bench:short-jobs`; docs/performance.md, "Short jobs").
 */
export const INLINE_BELOW_EVENTS = 10_000_000;

/** Bytes an event takes in each format, as the generator writes them (a .gz CSV: its deflated size). */
const BYTES_PER_EVENT: Record<InputFormat | 'gzip', number> = {
  csv: 15.4,
  ndjson: 38.4,
  'flink-binary': 8,
  gzip: 4.5,
};

export interface JobSize {
  /** The generator's event count. */
  events?: number;
  /** An input file (`-`: stdin, an unbounded stream). */
  input?: string;
  inputFormat?: string;
}

/**
 * The worker count when --workers is not given: inline for a job known to be short (the
 * generator's count, or an input file's size), else one worker per core. Stdin is a stream of
 * unknown length: one worker per core.
 */
export function defaultWorkers(job: JobSize, cores = availableParallelism()): number {
  const events = expectedEvents(job);
  return events !== undefined && events < INLINE_BELOW_EVENTS ? 0 : cores;
}

function expectedEvents({ events, input, inputFormat }: JobSize): number | undefined {
  if (input === undefined) return events;
  if (input === '-') return undefined;
  let size: number;
  try {
    size = statSync(input).size;
  } catch {
    return undefined; // the run reports the missing file itself
  }
  const format = input.endsWith('.gz') ? 'gzip' : (inputFormat ?? inputFormatOfPath(input));
  return size / (BYTES_PER_EVENT[format as InputFormat | 'gzip'] ?? BYTES_PER_EVENT.csv);
}
