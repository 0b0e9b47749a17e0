import type { Arguments } from 'yargs';
import { CliError } from './cli-error.js';
import { attachDashValues, commandLine } from './command-line.js';
import { ExitCode } from './exit-codes.js';

/** What the command line parser makes of a command line, without running the command. */
export type CommandLineCheck = { exitCode: 0; args?: Arguments } | { exitCode: number; message: string };

/** Thrown by the last middleware, once yargs has validated the command and its flags. */
class Parsed {
  constructor(readonly args: Arguments) {}
}

/**
 * Parses a command line exactly as `statecraft` does (the same commands, flags, choices and
 * strictness) and stops before the command runs: an unknown command or flag, a value outside a
 * flag's choices or a missing required flag give the usage exit code and the one-line message the
 * command prints; a command line that parses gives 0 and its arguments. Checks that a command
 * makes itself when it runs (a number's range, flags that need each other) are not made here.
 */
export async function checkCommandLine(argv: readonly string[]): Promise<CommandLineCheck> {
  try {
    await commandLine(argv, () => {})
      .middleware((args) => {
        throw new Parsed(args);
      })
      .parseAsync(attachDashValues(argv), {}, () => {
        // A parse callback keeps yargs from printing help or errors: they come back as results.
      });
    return { exitCode: ExitCode.ok };
  } catch (error) {
    if (error instanceof Parsed) return { exitCode: ExitCode.ok, args: error.args };
    if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
    throw error;
  }
}
