import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import type Yargs from 'yargs/yargs';
import { HELP_WIDTH } from './answers-cache.js';
import { usageError } from './cli-error.js';
import { cliVersion } from './cli-version.js';
import { defineBench } from './definitions/bench.js';
import { defineGenerate } from './definitions/generate.js';
import { defineMachine } from './definitions/machine.js';
import { defineProduce } from './definitions/produce.js';
import { defineRun } from './definitions/run.js';
import { LOG_FORMAT_OPTION } from './status/observability-options.js';

// Start-up loads yargs and the commands' definitions (flags, descriptions) only: a command's
// handler imports its implementation, and with it the engine, Kafka, metrics or diagram code it
// needs. So `--help` and argument errors answer without loading any of that (docs/performance.md,
// "Start-up"; `pnpm bench:start-up`; test/start-up-modules.test.ts).

// yargs 17's CommonJS build: one bundled file and a few small dependencies, read synchronously.
// Its ES modules (and yargs 18, ES modules only) are some 40 files and string-width's Intl.Segmenter
// and emoji tables, which alone took longer than all the rest of `--help`.
const yargs: typeof Yargs = createRequire(import.meta.url)('yargs/yargs');

/**
 * The `statecraft` command line: every command and flag, strict, with argument errors thrown as
 * one-line usage errors. Parsing it runs the command named; `done` receives its exit code.
 */
export function commandLine(argv: readonly string[], done: (exitCode: number) => void): Argv {
  let cli: Argv = yargs(attachDashValues(argv))
    .scriptName('statecraft')
    .usage('$0 <command> [options]')
    .version(cliVersion())
    .option('log-format', LOG_FORMAT_OPTION);
  for (const define of [defineRun, defineGenerate, defineProduce, defineBench, defineMachine]) {
    cli = define(cli, done);
  }
  // The command's words are English; yargs' own would follow LANG ("Kommandos:"), hence locale.
  return skipHelpLayoutAfterHandler(cli)
    .demandCommand(1, 'name a command: run, generate, produce, bench or machine')
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      // yargs spreads some messages over lines; the contract is one line per error.
      throw error ?? usageError(message.trim().replace(/:?\s*\n\s*/g, ': '));
    })
    .help()
    .locale('en')
    .wrap(Math.min(HELP_WIDTH, process.stdout.columns ?? HELP_WIDTH));
}

/**
 * yargs lays out the running command's whole help after calling its handler (cacheHelpMessage),
 * in case the handler later asks for it: 15-20 ms of text wrapping on the main thread at the start
 * of every job. No handler here shows help (errors are one line), so the layout is skipped.
 */
function skipHelpLayoutAfterHandler(cli: Argv): Argv {
  // yargs internals: guarded, so a release without them only costs the time again.
  const usage = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return cli;
}

interface YargsInternals {
  getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?(): void } | undefined };
}

/** yargs reads a lone `-` as a positional; `--input -` means stdin, so bind it to its flag. */
export function attachDashValues(argv: readonly string[]): string[] {
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
