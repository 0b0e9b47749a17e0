import { usageError } from './cli-error.js';

/** Names the environment variable tests use to kill worker threads; see workerDeathsFromEnv. */
export const WORKER_DEATH_ENV = 'STATECRAFT_INJECT_WORKER_DEATH';

/**
 * Fault injection for tests: `STATECRAFT_INJECT_WORKER_DEATH=1@50000,0@20000` makes thread 1 exit
 * after its owner applied 50,000 events in the first attempt, and thread 0 after 20,000 in the
 * attempt after the first restart.
 */
export function workerDeathsFromEnv(): [number, number][] | undefined {
  const text = process.env[WORKER_DEATH_ENV];
  if (text === undefined || text === '') return undefined;
  return text.split(',').map((entry) => {
    const match = /^(\d+)@(\d+)$/.exec(entry.trim());
    if (match === null) throw usageError(`${WORKER_DEATH_ENV} must look like 1@50000,0@20000, got ${text}`);
    return [Number(match[1]), Number(match[2])];
  });
}
