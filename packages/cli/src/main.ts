import { availableParallelism } from 'node:os';
import { DEFAULT_PARTITIONS, isStatecraftError } from '@statecraft/engine';
import { ALERT_FORMATS, DEFAULT_GENERATOR_SPLITS } from '@statecraft/fsm';
import yargs from 'yargs';
import { DEFAULT_CHECKPOINT_INTERVAL } from './checkpointing.js';
import { CliError, usageError } from './cli-error.js';
import { benchCommand } from './commands/bench.js';
import { generateCommand } from './commands/generate.js';
import { machineCommands } from './commands/machine.js';
import { produceCommand } from './commands/produce.js';
import { runCommand } from './commands/run.js';
import { ExitCode } from './exit-codes.js';
import { kafkaClientOptions, kafkaFlagsOf, kafkaRunOptions } from './kafka/kafka-flags.js';
import { logFormatIn, logger } from './log/logger.js';
import { LOG_FORMAT_OPTION, OBSERVABILITY_OPTIONS } from './status/observability-options.js';

const ENGINE_EXIT_CODES: Record<string, number> = {
  WORKER_FAILED: ExitCode.jobFailed,
  SINK_FAILED: ExitCode.cannotWrite,
  INPUT_UNREADABLE: ExitCode.noInput,
  BAD_RECORD: ExitCode.badRecord,
  INVALID_JOB_OPTIONS: ExitCode.usage,
  CHECKPOINT_FAILED: ExitCode.cannotWrite,
  CHECKPOINT_MISMATCH: ExitCode.usage,
};

const generatorOptions = {
  events: { type: 'number', describe: 'events to generate' },
  'error-rate': {
    type: 'number',
    default: 0,
    describe: 'probability of an invalid event for a live machine',
  },
  seed: { type: 'number', default: 1, describe: 'generator seed (0..4294967295)' },
  machine: { type: 'string', default: 'seed', describe: 'state machine: seed, flink or a .json definition' },
  'generator-splits': {
    type: 'number',
    default: DEFAULT_GENERATOR_SPLITS,
    describe: 'generator splits G (part of the stream identity, like the seed)',
  },
  quiet: { type: 'boolean', default: false, describe: 'no status, progress or summary on stderr' },
} as const;

/** Parses the command line, runs the command, and returns the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  logger.configure({ format: logFormatIn(argv) });
  try {
    await yargs(attachDashValues(argv))
      .scriptName('statecraft')
      .usage('$0 <command> [options]')
      .option('log-format', LOG_FORMAT_OPTION)
      .command(
        'run',
        'run the detection job over the generator or an input file',
        (y) =>
          y.options({
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
              default: availableParallelism(),
              describe: 'worker threads (0 = inline)',
            },
            partitions: { type: 'number', default: DEFAULT_PARTITIONS, describe: 'key groups P' },
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
          }),
        async (args) => {
          exitCode = await runCommand({
            ...args,
            ...kafkaFlagsOf(args),
            inputFormat: args['input-format'],
            errorRate: args['error-rate'],
            generatorSplits: args['generator-splits'],
            deadLetter: args['dead-letter'],
            sourceParallelism: args['source-parallelism'],
            format: args.format as (typeof ALERT_FORMATS)[number],
            checkpointDir: args['checkpoint-dir'],
            checkpointInterval: args['checkpoint-interval'],
            checkpointRetain: args['checkpoint-retain'],
            maxRestarts: args['max-restarts'],
            stateTtl: args['state-ttl'],
          });
        },
      )
      .command(
        'generate',
        "write the generator's event stream to a file",
        (y) =>
          y.options({
            ...generatorOptions,
            events: { ...generatorOptions.events, demandOption: 'give --events N' },
            out: {
              type: 'string',
              demandOption: 'give --out <file> (or - for stdout)',
              describe: 'events file',
            },
            format: {
              type: 'string',
              choices: ['csv', 'ndjson', 'flink-binary'],
              default: 'csv',
              describe: 'events file format',
            },
          }),
        async (args) => {
          exitCode = await generateCommand({
            ...args,
            errorRate: args['error-rate'],
            generatorSplits: args['generator-splits'],
          });
        },
      )
      .command(
        'produce',
        "write the generator's event stream into a Kafka topic, keyed by address",
        (y) =>
          y.options({
            ...generatorOptions,
            events: { ...generatorOptions.events, demandOption: 'give --events N' },
            ...kafkaClientOptions,
            rate: {
              type: 'number',
              describe: 'at most this many events per second (default: as fast as possible)',
            },
            'kafka-batch-bytes': {
              type: 'number',
              describe:
                "largest record batch in bytes (default 1000000, under the broker's 1 MiB message.max.bytes)",
            },
          }),
        async (args) => {
          exitCode = await produceCommand({
            ...args,
            errorRate: args['error-rate'],
            generatorSplits: args['generator-splits'],
            kafkaFormat: args['kafka-format'],
            kafkaTimeout: args['kafka-timeout'],
            kafkaClientId: args['kafka-client-id'],
            kafkaBatchBytes: args['kafka-batch-bytes'],
          });
        },
      )
      .command(
        'bench',
        'end-to-end sweep: the job for each workers × partitions pair, plus a naive Map baseline',
        (y) =>
          y.options({
            workers: {
              type: 'string',
              describe: 'worker counts to sweep, comma-separated (default 0,1,2 and powers of two ≤ cores)',
            },
            partitions: {
              type: 'string',
              describe:
                'partition counts to sweep, comma-separated (default 1,16,128,1024; --quick 1,128,1024)',
            },
            events: { type: 'number', describe: 'events per run (default 10,000,000; --quick 2,000,000)' },
            repeat: {
              type: 'number',
              describe: 'runs per combination; the median is kept (default 5; --quick 1)',
            },
            out: {
              type: 'string',
              default: '.bench-out',
              describe: 'directory for results.json, results.md and chart.svg',
            },
            quick: { type: 'boolean', default: false, describe: 'a short sweep (under a minute on 2 cores)' },
          }),
        async (args) => {
          exitCode = await benchCommand(args);
        },
      )
      .command('machine', 'show a state machine as a diagram, or check a definition', (y) =>
        machineCommands(y, (code) => {
          exitCode = code;
        }),
      )
      .demandCommand(1, 'name a command: run, generate, produce, bench or machine')
      .strict()
      .exitProcess(false)
      .fail((message, error) => {
        // yargs spreads some messages over lines; the contract is one line per error.
        throw error ?? usageError(message.trim().replace(/:?\s*\n\s*/g, ': '));
      })
      .help()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .parseAsync();
  } catch (error) {
    exitCode = report(error);
  }
  return exitCode;
}

/** yargs reads a lone `-` as a positional; `--input -` means stdin, so bind it to its flag. */
function attachDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--') && !arg.includes('=') && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function report(error: unknown): number {
  if (error instanceof CliError) {
    logger.error(`${error.message}${error.exitCode === ExitCode.usage ? ' (see --help)' : ''}`);
    return error.exitCode;
  }
  if (isStatecraftError(error)) {
    logger.error(error.message, { code: error.code });
    return ENGINE_EXIT_CODES[error.code] ?? ExitCode.jobFailed;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`internal error: ${message}`);
  if (process.env.STATECRAFT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return ExitCode.jobFailed;
}
