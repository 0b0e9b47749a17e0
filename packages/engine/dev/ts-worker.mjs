// Worker entry used only when the engine itself runs from its TypeScript sources (tests, tsx):
// Node 20 ignores `--import tsx` in worker threads' execArgv, so tsx is registered here instead.
import { register } from 'tsx/esm/api';

register();
const { default: runWorkerTask } = await import(new URL('../src/runtime/worker.ts', import.meta.url).href);
export default runWorkerTask;
