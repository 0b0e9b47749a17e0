// Piscina's entry for the worker threads. Piscina require()s its entry first, and Node 20.19+
// would load the worker's ES module through require(esm): a thread terminated while that
// instantiates the module aborts the whole process ("FATAL ERROR: v8::Module::IsGraphAsync ...
// must be used on an instantiated module", ~1 run in 100 of a job that fails while its threads
// start). This CommonJS entry imports the module instead, asynchronously, as the thread starts.
import type runWorkerTask from './worker.js' with { 'resolution-mode': 'import' };

type RunWorkerTask = typeof runWorkerTask;

const loading: Promise<{ default: RunWorkerTask }> = import('./worker.js');
// A module that fails to load fails the thread's task, not the thread before it has one.
loading.catch(() => undefined);

const run: RunWorkerTask = async (task) => (await loading).default(task);
export = run;
