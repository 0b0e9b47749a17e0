import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import type { RunStats } from '../summary.js';
import type { MapBaselineResult } from './map-baseline.js';

/**
 * The command that runs this code, and the baseline program beside it: in dist they are
 * `../bin.js` and `./map-baseline.js` from this file; in the bundle (scripts/bundle-cli.mjs) this
 * code sits in a chunk beside `bin.js` and `map-baseline.js`.
 */
const BUNDLED = existsSync(fileURLToPath(new URL('./bin.js', import.meta.url)));
const BIN = fileURLToPath(new URL(BUNDLED ? './bin.js' : '../bin.js', import.meta.url));
const MAP_BASELINE = fileURLToPath(new URL('./map-baseline.js', import.meta.url));

/** One measured run, from a job's --stats file or the baseline's JSON line. */
export interface RunMeasurement {
  events: number;
  eventsPerSecond: number;
  p50BatchMs: number | null;
  p99BatchMs: number | null;
  peakRssBytes: number;
}

/** Runs `statecraft run` over the generator in a fresh process and reads its --stats file. */
export async function measureJob(
  events: number,
  workers: number,
  partitions: number,
  statsPath: string,
): Promise<RunMeasurement> {
  const args = ['run', '--events', String(events), '--workers', String(workers)];
  // The sweep measures the worker threads alone, not a head start on the main thread before them.
  if (workers > 0) args.push('--no-head-start');
  args.push('--partitions', String(partitions), '--output', '/dev/null', '--stats', statsPath, '--quiet');
  await runChild([BIN, ...args], `statecraft run --workers ${workers} --partitions ${partitions}`);
  const stats = JSON.parse(await readFile(statsPath, 'utf8')) as RunStats;
  return {
    events: stats.events,
    eventsPerSecond: stats.eventsPerSecond,
    p50BatchMs: stats.p50BatchMs,
    p99BatchMs: stats.p99BatchMs,
    peakRssBytes: stats.peakRssBytes,
  };
}

/** Runs the Map baseline (map-baseline.ts) in a fresh process. */
export async function measureMapBaseline(events: number): Promise<RunMeasurement> {
  const stdout = await runChild([MAP_BASELINE, '--events', String(events)], 'the map baseline');
  const result = JSON.parse(stdout) as MapBaselineResult;
  return {
    events: result.events,
    eventsPerSecond: result.eventsPerSecond,
    p50BatchMs: null,
    p99BatchMs: null,
    peakRssBytes: result.peakRssBytes,
  };
}

/** Runs `node ...args` to completion; returns its stdout, or fails with its last stderr line. */
function runChild(args: string[], name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      reject(new CliError(`cannot start ${name}: ${error.message}`, ExitCode.jobFailed)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      if (code === ExitCode.interrupted || signal === 'SIGINT') {
        return reject(new CliError(`interrupted during ${name}`, ExitCode.interrupted));
      }
      const lines = Buffer.concat(err).toString('utf8').trim().split('\n');
      const cause = lines[lines.length - 1] || 'no message';
      reject(new CliError(`${name} failed (${signal ?? `exit ${code}`}): ${cause}`, ExitCode.jobFailed));
    });
  });
}
