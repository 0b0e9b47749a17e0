import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeFsError } from '@statecraft/engine';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';

export interface OpenedInput {
  stream: Readable;
  name: string;
  /** Size in bytes of a regular file (before inflating), for progress; undefined for stdin. */
  size: number | undefined;
}

/** Opens a file (inflating `.gz`) or stdin (`-`); a missing or unreadable file is exit code 66. */
export function openInput(path: string, highWaterMark: number): OpenedInput {
  if (path === '-') return { stream: process.stdin, name: 'stdin', size: undefined };
  const { fd, size } = openReadableFile(path);
  const file = createReadStream(path, { fd, highWaterMark });
  if (!path.endsWith('.gz')) return { stream: file, name: path, size };
  const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
  file.on('error', (error) => gunzip.destroy(error));
  return { stream: file.pipe(gunzip), name: path, size };
}

/** Checks that a path is a file this process can read; otherwise exit code 66. */
export function checkReadableFile(path: string): void {
  closeSync(openReadableFile(path).fd);
}

function openReadableFile(path: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${describeFsError(error)}`, ExitCode.noInput);
  }
  const stat = fstatSync(fd);
  if (stat.isDirectory()) {
    closeSync(fd);
    throw new CliError(`cannot read ${path}: it is a directory`, ExitCode.noInput);
  }
  return { fd, size: stat.size };
}

export { describeFsError };
