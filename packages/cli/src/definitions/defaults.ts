import type { AlertFormat } from '@statecraft/fsm';

// Defaults and choices that the flags' help shows but the engine and fsm packages define. Their
// barrels load the whole runtime (worker pool, codecs, sources: most of a `--help` that imported
// them), so the command line keeps copies; test/flag-defaults.test.ts checks each against its source.

/** `@statecraft/engine`'s DEFAULT_PARTITIONS. */
export const DEFAULT_PARTITIONS = 128;
/** `@statecraft/fsm`'s DEFAULT_GENERATOR_SPLITS. */
export const DEFAULT_GENERATOR_SPLITS = 64;
/** `@statecraft/fsm`'s ALERT_FORMATS. */
export const ALERT_FORMATS: readonly AlertFormat[] = ['text', 'csv', 'ndjson'];

/** `--checkpoint-interval` when only `--checkpoint-dir` is given. */
export const DEFAULT_CHECKPOINT_INTERVAL = '10s';

/**
 * Below this many events a job runs inline unless --workers says otherwise: starting threads and
 * loading the engine into each costs more than two cores win back on a short job (measured with
 * `pnpm bench:short-jobs`; docs/performance.md, "Short jobs").
 */
export const INLINE_BELOW_EVENTS = 10_000_000;

/** The worker count when --workers is not given, for a job of `events` (undefined: unknown). */
export function defaultWorkersFor(events: number | undefined, cores: number): number {
  return events !== undefined && events < INLINE_BELOW_EVENTS ? 0 : cores;
}
