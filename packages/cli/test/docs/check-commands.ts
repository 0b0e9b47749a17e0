import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { checkCommandLine } from '../../src/check-command-line.js';
import { runCli } from '../helpers.js';
import type { DocCommand } from './commands.js';

/** Generated events up to which a documented `run` or `generate` is run for real (about a second). */
const QUICK_EVENTS = 2_000_000;

const where = (root: string, command: DocCommand) =>
  `${relative(root, command.file)}:${command.line}: statecraft ${command.args.join(' ')}`;

/**
 * Parses each command line with the CLI's own parser, stopping before the command runs: an
 * unknown command or flag, a value outside a flag's choices, a missing required flag, or a number
 * flag given something that is not a number (which every command refuses when it runs) is a
 * problem, unless the command's `# exit N` comment promises that exit code.
 */
export async function commandLineProblems(root: string, commands: readonly DocCommand[]): Promise<string[]> {
  const problems: string[] = [];
  for (const command of commands) {
    const check = await checkCommandLine(command.args);
    if ('message' in check) {
      if (check.exitCode !== command.expectedExit) {
        problems.push(`${where(root, command)}: exit ${check.exitCode}: ${check.message}`);
      }
      continue;
    }
    const notNumbers = Object.entries(check.args ?? {})
      .filter(([name, value]) => typeof value === 'number' && Number.isNaN(value) && !/[A-Z]/.test(name))
      .map(([name]) => `--${name}`);
    if (notNumbers.length > 0)
      problems.push(`${where(root, command)}: not a number: ${notNumbers.join(', ')}`);
  }
  return problems;
}

/**
 * Why a documented command is only parsed, not run; undefined when it finishes in a few seconds
 * without a broker, so the test runs it. `cwd` is where the file's earlier commands ran.
 */
export async function whyNotRun(command: DocCommand, cwd: string): Promise<string | undefined> {
  if (command.expands) return 'it uses shell variables';
  const check = await checkCommandLine(command.args);
  const args = check.exitCode === 0 && 'args' in check ? check.args : undefined;
  if (args === undefined || args.help) return undefined; // a usage error or --help: quick
  const [name] = command.args;
  if (name === 'produce' || args.brokers !== undefined) return 'it needs a Kafka broker';
  if (name === 'bench') return 'a sweep takes a minute or more';
  if (name === 'machine') return undefined;
  if (typeof args.input === 'string' && args.input !== '-') {
    return existsSync(join(cwd, args.input)) ? undefined : `its input ${args.input} is not made by the page`;
  }
  return typeof args.events === 'number' && args.events <= QUICK_EVENTS
    ? undefined
    : `more than ${QUICK_EVENTS} events`;
}

/**
 * Runs the quick commands (see `whyNotRun`) with the built CLI, in order, in `cwd` (where
 * `examples/` must resolve), with stdout sent where the command line redirects it; a command that
 * exits with another code than it promises (0 unless `# exit N`) is a problem.
 */
export async function runQuickCommands(
  root: string,
  commands: readonly DocCommand[],
  cwd: string,
): Promise<{ ran: DocCommand[]; problems: string[] }> {
  const ran: DocCommand[] = [];
  const problems: string[] = [];
  for (const command of commands) {
    if ((await whyNotRun(command, cwd)) !== undefined) continue;
    const result = await runCli(command.args, { cwd, timeoutMs: 60_000 });
    ran.push(command);
    if (command.stdoutTo !== undefined) await writeFile(join(cwd, command.stdoutTo), result.stdout);
    if (result.code !== command.expectedExit) {
      problems.push(
        `${where(root, command)}: exit ${result.code}, not ${command.expectedExit}: ${result.stderr.trim()}`,
      );
    }
  }
  return { ran, problems };
}
