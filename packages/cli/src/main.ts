import { CliError } from './cli-error.js';
import { commandLine } from './command-line.js';
import { ExitCode } from './exit-codes.js';
import { logFormatIn, logger } from './log/logger.js';

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
    await commandLine(argv, done).parseAsync();
  } catch (error) {
    exitCode = await report(error);
  }
  return exitCode;
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
