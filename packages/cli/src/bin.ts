#!/usr/bin/env node
import { routeProcessWarnings } from './log/process-warnings.js';
import { main } from './main.js';

routeProcessWarnings();

process.exitCode = await main(process.argv.slice(2));
// The command is done and its output written (stdout and files are written synchronously on
// Linux). A socket or timer may still be open (a Kafka broker that never answered, still being
// retried): exit anyway rather than hang on it.
setTimeout(() => process.exit(), 1000).unref();
