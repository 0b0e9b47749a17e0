/**
 * `@statecraft/engine/warm-up`: start a job's worker threads before the rest of the program (and
 * of the engine) has loaded. It loads only the pool, so a program can call it first thing.
 */
export {
  hasWarmWorkers,
  releaseWarmWorkers,
  warmUpWorkers,
  warmWorkersSettled,
  whenWarmWorkersSettled,
} from './runtime/worker-pool.js';
