import { readFileSync } from 'node:fs';

// `statecraft --help`, a command's `--help` and `--version` print the same text on every run: the
// build (scripts/bundle-cli.mjs) asks the command for each once and keeps the answers in
// answers.json beside the bundle, which prints them without loading yargs and the commands'
// definitions, about a third of `--help`'s time (docs/performance.md, "Start-up").
// test/bundle.test.ts checks each against the command's own answer.

/** The width yargs wraps help to: the terminal's, up to this many columns. */
export const HELP_WIDTH = 110;

/** The command lines whose answers the build keeps. */
export const CACHED_COMMAND_LINES: readonly (readonly string[])[] = [
  ['--help'],
  ['--version'],
  ...[
    ['run'],
    ['generate'],
    ['produce'],
    ['bench'],
    ['machine'],
    ['machine', 'show'],
    ['machine', 'check'],
  ].map((command) => [...command, '--help']),
];

export const ANSWERS_FILE = 'answers.json';

/**
 * The kept answer to this command line, if the build kept one and it fits the terminal (help is
 * wrapped to HELP_WIDTH columns, so a narrower terminal gets yargs' own).
 */
export function cachedAnswer(
  argv: readonly string[],
  columns: number | undefined = process.stdout.columns,
): string | undefined {
  if (columns !== undefined && columns < HELP_WIDTH) return undefined;
  const key = argv.join(' ');
  if (!CACHED_COMMAND_LINES.some((line) => line.join(' ') === key)) return undefined;
  let answers: Record<string, string>;
  try {
    answers = JSON.parse(readFileSync(new URL(`./${ANSWERS_FILE}`, import.meta.url), 'utf8'));
  } catch {
    return undefined;
  }
  return answers[key];
}
