#!/usr/bin/env node
import { cachedAnswer } from './answers-cache.js';

const argv = process.argv.slice(2);
const answer = cachedAnswer(argv);
if (answer !== undefined) {
  // As console.log, which yargs prints with: a reader that went away (`| head`) is not an error.
  process.stdout.on('error', () => undefined);
  process.stdout.write(answer);
} else {
  const [{ routeProcessWarnings }, { main }] = await Promise.all([
    import('./log/process-warnings.js'),
    import('./main.js'),
  ]);
  routeProcessWarnings();
  process.exitCode = await main(argv);
  // The command is done and its output written (stdout and files are written synchronously on
  // Linux). A socket or timer may still be open (a Kafka broker that never answered, still being
  // retried): exit anyway rather than hang on it.
  setTimeout(() => process.exit(), 1000).unref();
}
