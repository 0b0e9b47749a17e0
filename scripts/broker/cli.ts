/**
 * `pnpm broker [--topic name:partitions]...`: a single-node Apache Kafka for development, on a free
 * port of 127.0.0.1 with its data in a temporary folder. Prints `BOOTSTRAP=127.0.0.1:PORT` once it
 * serves; Ctrl-C or SIGTERM stops it and removes its data.
 */
import { type BrokerOptions, startBroker } from './broker.js';
import { parseTopicSpec, type TopicSpec, TopicSpecError } from './topics.js';

function usage(message: string): never {
  process.stderr.write(
    `pnpm broker: ${message}\nusage: pnpm broker [--topic name:partitions]... [--port n] [--initial-rebalance-delay ms]\n`,
  );
  process.exit(2);
}

function parseArgs(args: readonly string[]): BrokerOptions & { topics: TopicSpec[] } {
  const options: BrokerOptions & { topics: TopicSpec[] } = { topics: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = args[i + 1];
    if (arg === '--') continue;
    if (value === undefined) usage(`${arg} needs a value`);
    i++;
    if (arg === '--topic') {
      try {
        options.topics.push(parseTopicSpec(value));
      } catch (error) {
        if (error instanceof TopicSpecError) usage(`--topic ${error.message}`);
        throw error;
      }
    } else if (arg === '--port') {
      options.port = integer(arg, value, 1, 65535);
    } else if (arg === '--initial-rebalance-delay') {
      options.initialRebalanceDelayMs = integer(arg, value, 0, 300_000);
    } else {
      usage(`unknown argument ${arg}`);
    }
  }
  return options;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    usage(`${flag} ${text} is not an integer in [${min}, ${max}]`);
  return value;
}

const options = parseArgs(process.argv.slice(2));
const started = performance.now();
// The handlers come before the bootstrap line: whoever reads that line may signal at once.
let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
let stopRequested = false;
const stop = () => {
  if (stopRequested) return;
  stopRequested = true;
  if (broker === undefined) return;
  broker.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  broker = await startBroker(options);
  process.stderr.write(
    `Apache Kafka ready in ${((performance.now() - started) / 1000).toFixed(1)} s; data and log in ${broker.dataDir}\n`,
  );
  process.stdout.write(`BOOTSTRAP=${broker.bootstrap}\n`);
  if (stopRequested) {
    stopRequested = false;
    stop();
  }
} catch (error) {
  process.stderr.write(`pnpm broker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
