import type { Argv } from 'yargs';
import { kafkaFlagsOf, kafkaRunOptions } from '../kafka/kafka-options.js';
import { OBSERVABILITY_OPTIONS } from '../status/observability-options.js';
import { releaseRunWorkers, warmUpRunWorkers } from '../warm-start.js';
import { ALERT_FORMATS, DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_PARTITIONS } from './defaults.js';
import { generatorOptions } from './generator-options.js';

/** `statecraft run`'s flags. */
export const runOptions = {
  ...generatorOptions,
  events: { ...generatorOptions.events, default: 10_000_000 },
  input: {
    type: 'string',
    describe: 'events file (csv, ndjson or flink-binary; .gz is inflated) or - for stdin',
  },
  'input-format': {
    type: 'string',
    choices: ['csv', 'ndjson', 'flink-binary'],
    describe: 'input format (default: from the extension: .ndjson/.jsonl, .bin, else csv)',
  },
  workers: {
    type: 'number',
    describe:
      'worker threads (0 = inline); default: inline for a job under 10 M events (--events, or a file by its size), else one per core',
  },
  partitions: { type: 'number', default: DEFAULT_PARTITIONS, describe: 'key groups P' },
  'head-start': {
    type: 'boolean',
    default: true,
    describe:
      'with workers: start on the main thread, start them once its pace says they will win back their start, then hand over (a shorter job starts none); --no-head-start: every chunk in the workers',
  },
  'source-parallelism': {
    type: 'number',
    describe: 'threads producing chunks (generating or parsing); default: --workers',
  },
  output: {
    type: 'string',
    describe: 'alerts file, or - for stdout (the default, unless --output-dir or --alerts-topic)',
  },
  format: { type: 'string', choices: ALERT_FORMATS, default: 'text', describe: 'alert format' },
  stats: { type: 'string', describe: 'write the run summary as JSON to this file' },
  'dead-letter': { type: 'string', describe: 'write rejected input records here (NDJSON)' },
  strict: { type: 'boolean', default: false, describe: 'stop at the first bad record (exit 65)' },
  'checkpoint-dir': { type: 'string', describe: 'take checkpoints into this directory' },
  'checkpoint-interval': {
    type: 'string',
    describe: `events (2000000) or a duration (500ms, 10s, 1m) between checkpoints (default ${DEFAULT_CHECKPOINT_INTERVAL})`,
  },
  'checkpoint-retain': {
    type: 'number',
    default: 3,
    describe: 'checkpoints kept in the directory',
  },
  resume: {
    type: 'boolean',
    default: false,
    describe: 'continue from the newest valid checkpoint (or start over if there is none)',
  },
  'max-restarts': {
    type: 'number',
    default: 3,
    describe: 'restarts from the last checkpoint after a worker dies (with --checkpoint-dir)',
  },
  'state-ttl': {
    type: 'string',
    describe: 'forget addresses idle this long: events (500000) or a duration (30s, 5m)',
  },
  ...kafkaRunOptions,
  ...OBSERVABILITY_OPTIONS,
} as const;

/** Registers `statecraft run`; the job's code is loaded only when it runs. `done` receives the exit code. */
export function defineRun(y: Argv, done: (exitCode: number) => void): Argv {
  return y.command(
    'run',
    'run the detection job over the generator or an input file',
    (c) => c.options(runOptions),
    async (args) => {
      await warmUpRunWorkers({ ...args, ...kafkaFlagsOf(args), headStart: args['head-start'] });
      const { runCommand } = await import('../commands/run.js');
      try {
        done(
          await runCommand({
            ...args,
            ...kafkaFlagsOf(args),
            inputFormat: args['input-format'],
            errorRate: args['error-rate'],
            generatorSplits: args['generator-splits'],
            deadLetter: args['dead-letter'],
            sourceParallelism: args['source-parallelism'],
            headStart: args['head-start'],
            format: args.format as (typeof ALERT_FORMATS)[number],
            checkpointDir: args['checkpoint-dir'],
            checkpointInterval: args['checkpoint-interval'],
            checkpointRetain: args['checkpoint-retain'],
            maxRestarts: args['max-restarts'],
            stateTtl: args['state-ttl'],
          }),
        );
      } finally {
        await releaseRunWorkers();
      }
    },
  );
}
