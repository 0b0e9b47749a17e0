// Shared by the checkpoint tests of the command: runs with extra environment, checkpoint files,
// and byte-level comparison of outputs.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, type CliOptions, type CliResult, collect, ROOT } from './helpers.js';

/** Like runCli, with variables added to the child's environment (e.g. fault injection). */
export function runCliWithEnv(
  args: readonly string[],
  env: Record<string, string>,
  options: CliOptions = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, STATECRAFT_DEBUG: '', ...env },
  });
  return collect(child, options);
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
