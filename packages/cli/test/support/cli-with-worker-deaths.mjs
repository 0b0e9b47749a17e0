// The built command with worker threads killed mid-run, for the restart tests; the shipped command
// has no way to do this. `node cli-with-worker-deaths.mjs 1@50000,0@20000 run ...` makes thread 1
// exit after its owner applied 50,000 events in the first attempt, and thread 0 after 20,000 in the
// attempt after the first restart; the arguments after the first are statecraft's.
import { runJobOverrides } from '../../dist/run-job-overrides.js';

const deaths = process.argv[2] ?? '';
runJobOverrides.injectWorkerDeaths = deaths.split(',').map((entry) => {
  const match = /^(\d+)@(\d+)$/.exec(entry.trim());
  if (match === null) throw new Error(`worker deaths must look like 1@50000,0@20000, got ${deaths}`);
  return [Number(match[1]), Number(match[2])];
});
process.argv.splice(2, 1);
await import('../../dist/bin.js');
