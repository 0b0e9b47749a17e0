import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import type Yargs from 'yargs/yargs';
import { CliError, usageError } from './cli-error.js';
import { defineBench } from './definitions/bench.js';
import { defineGenerate } from './definitions/generate.js';
import { defineMachine } from './definitions/machine.js';
import { defineProduce } from './definitions/produce.js';
import { defineRun } from './definitions/run.js';
import { ExitCode } from './exit-codes.js';
import { logFormatIn, logger } from './log/logger.js';
import { LOG_FORMAT_OPTION } from './status/observability-options.js';

// Start-up loads yargs and the commands' definitions (flags, descriptions) only: a command's
// handler imports its implementation, and with it the engine, Kafka, metrics or diagram code it
// needs. So `--help` and argument errors answer without loading any of that (the README's
// "Start-up"; `pnpm bench:start-up`; test/start-up-modules.test.ts).

// yargs 17's CommonJS build: one bundled file and a few small dependencies, read synchronously.
// Its ES modules (and yargs 18, ES modules only) are some 40 files and string-width's Intl.Segmenter
// and emoji tables, which alone took longer than all the rest of `--help`.
const yargs: typeof Yargs = createRequire(import.meta.url)('yargs/yargs');

const ENGINE_EXIT_CODES: Record<string, number> = {
  WORKER_FAILED: ExitCode.jobFailed,
  SINK_FAILED: ExitCode.cannotWrite,
  INPUT_UNREADABLE: ExitCode.noInput,
  BAD_RECORD: ExitCode.badRecord,
  INVALID_JOB_OPTIONS: ExitCode.usage,
  CHECKPOINT_FAILED: ExitCode.cannotWrite,
  CHECKPOINT_MISMATCH: ExitCode.usage,
};

/** Parses the command line, runs the command, and returns the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const done = (code: number) => {
    exitCode = code;
  };
  logger.configure({ format: logFormatIn(argv) });
  try {
    let cli: Argv = yargs(attachDashValues(argv))
      .scriptName('statecraft')
      .usage('$0 <command> [options]')
      .option('log-format', LOG_FORMAT_OPTION);
    for (const define of [defineRun, defineGenerate, defineProduce, defineBench, defineMachine]) {
      cli = define(cli, done);
    }
    await cli
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
    exitCode = await report(error);
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

async function report(error: unknown): Promise<number> {
  if (error instanceof CliError) {
    logger.error(`${error.message}${error.exitCode === ExitCode.usage ? ' (see --help)' : ''}`);
    return error.exitCode;
  }
  // Only a command that ran can throw the engine's errors: the engine is loaded by then.
  const { isStatecraftError } = await import('@statecraft/engine');
  if (isStatecraftError(error)) {
    logger.error(error.message, { code: error.code });
    return ENGINE_EXIT_CODES[error.code] ?? ExitCode.jobFailed;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`internal error: ${message}`);
  if (process.env.STATECRAFT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return ExitCode.jobFailed;
}
