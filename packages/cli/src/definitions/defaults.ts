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
