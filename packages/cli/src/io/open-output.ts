import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { describeFsError } from './open-input.js';

export interface OpenedOutput {
  stream: Writable;
  name: string;
  /** Whether the stream should be ended at the end (files, not stdout). */
  owned: boolean;
}

/** Opens a file for writing (truncating it) or stdout (`-`); failure is exit code 73. */
export function openOutput(path: string): OpenedOutput {
  if (path === '-') return { stream: process.stdout, name: 'stdout', owned: false };
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${describeFsError(error)}`, ExitCode.cannotWrite);
  }
  return { stream: createWriteStream(path, { fd, highWaterMark: 1024 * 1024 }), name: path, owned: true };
}
