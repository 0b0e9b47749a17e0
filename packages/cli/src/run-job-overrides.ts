import type { JobOptions } from '@statecraft/engine';

/**
 * Engine options added to the job of a file, generator or stdin run. Internal: no flag, environment
 * variable or export reaches it, and the shipped command leaves it empty. The restart tests start the
 * command through test/support/cli-with-worker-deaths.mjs, which sets `injectWorkerDeaths` here to
 * kill worker threads mid-run.
 */
export const runJobOverrides: Pick<JobOptions, 'injectWorkerDeaths'> = {};
