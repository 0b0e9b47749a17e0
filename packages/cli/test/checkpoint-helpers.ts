// Shared by the checkpoint tests of the command: runs with worker threads killed, checkpoint
// files, and byte-level comparison of outputs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliOptions, type CliResult, collect, startCliWithWorkerDeaths } from './helpers.js';

/** Like runCli, with worker threads killed as `deaths` says (`1@50000,0@20000`: thread, events applied). */
export function runCliWithWorkerDeaths(
  args: readonly string[],
  deaths: string,
  options: CliOptions = {},
): Promise<CliResult> {
  return collect(startCliWithWorkerDeaths(args, deaths, options.cwd), options);
}

/** Checkpoint files in a directory (none if it does not exist), oldest first, as full paths. */
export function checkpointFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^checkpoint-\d{10}\.ckpt$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Throws, naming the first differing byte, unless the file holds exactly `expected`. */
export function expectSameBytes(path: string, expected: Buffer, label: string): void {
  const actual = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const around = (bytes: Buffer) => JSON.stringify(bytes.subarray(Math.max(0, i - 40), i + 40).toString());
  throw new Error(
    `${label}: ${path} differs from the uninterrupted output at byte ${i} ` +
      `(${actual.length} vs ${expected.length} bytes): got ${around(actual)}, expected ${around(expected)}`,
  );
}

/** stderr lines that match `pattern`. */
export function linesMatching(stderr: string, pattern: RegExp): string[] {
  return stderr.split('\n').filter((line) => pattern.test(line));
}
