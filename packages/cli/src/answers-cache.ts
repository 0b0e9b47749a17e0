import { readFileSync } from 'node:fs';
import { cliVersion } from './cli-version.js';

// `statecraft --help` and each command's `--help` print the same text on every run: the build
// (scripts/bundle-cli.mjs) asks the command for each once and keeps the answers in answers.json
// beside the bundle, which prints them without loading yargs and the commands' definitions, about
// a third of `--help`'s time (docs/performance.md, "Start-up"); `--version` is read from the
// package's manifest, as the command line does. test/bundle.test.ts checks each against the
// command's own answer.

/** The width yargs wraps help to: the terminal's, up to this many columns. */
export const HELP_WIDTH = 110;

/** The command lines whose answers the build keeps. */
export const CACHED_COMMAND_LINES: readonly (readonly string[])[] = [
  ['--help'],
  ['run', '--help'],
  ['generate', '--help'],
  ['produce', '--help'],
  ['bench', '--help'],
  ['machine', '--help'],
  ['machine', 'show', '--help'],
  ['machine', 'check', '--help'],
];

export const ANSWERS_FILE = 'answers.json';

const sameWords = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((word, i) => word === b[i]);

/**
 * The answer to this command line when it needs no parsing: the version, or help the build kept
 * that fits the terminal (help is wrapped to HELP_WIDTH columns, so a narrower terminal, or
 * YARGS_DISABLE_WRAP, gets yargs' own).
 */
export function cachedAnswer(
  argv: readonly string[],
  columns: number | undefined = process.stdout.columns,
): string | undefined {
  if (sameWords(argv, ['--version'])) return `${cliVersion()}\n`;
  if ((columns !== undefined && columns < HELP_WIDTH) || process.env.YARGS_DISABLE_WRAP !== undefined) {
    return undefined;
  }
  const line = CACHED_COMMAND_LINES.find((words) => sameWords(words, argv));
  if (line === undefined) return undefined;
  let answers: Record<string, string>;
  try {
    answers = JSON.parse(readFileSync(new URL(`./${ANSWERS_FILE}`, import.meta.url), 'utf8'));
  } catch {
    return undefined;
  }
  return answers[line.join(' ')];
}
