import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunStats } from '../src/summary.js';
import { assertBuilt, EXIT, runCli, useTempDir } from './helpers.js';

// 3 M events: 46 generator chunks, more than the 32 a head start needs to start threads at all, but
// too little work for threads to win back their start on a few cores: the main thread keeps it.
const EVENTS = 3_000_000;
const CHUNKS = Math.ceil(EVENTS / 65_536);
const STREAM = ['--events', String(EVENTS), '--seed', '3', '--error-rate', '0.002', '--state-ttl', '200000'];
const tempDir = useTempDir();

async function run(flags: string[], stream = STREAM): Promise<{ alerts: Buffer; stats: RunStats }> {
  const dir = tempDir();
  const alerts = join(dir, 'alerts.txt');
  const stats = join(dir, 'stats.json');
  const result = await runCli(['run', ...stream, ...flags, '--output', alerts, '--stats', stats, '--quiet']);
  expect(result.code, result.stderr).toBe(EXIT.ok);
  return { alerts: readFileSync(alerts), stats: JSON.parse(readFileSync(stats, 'utf8')) as RunStats };
}

let inline: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  assertBuilt();
  inline = await run(['--workers', '0']);
  expect(inline.stats.chunks).toBe(CHUNKS);
  expect(inline.stats.expiredAddresses).toBeGreaterThan(0);
  expect(inline.alerts.length).toBeGreaterThan(1000);
});

describe('statecraft run --workers N: the head start', { timeout: 60_000 }, () => {
  it.each([1, 2, 3])(
    '--workers %i: the inline run’s alerts, expiries and live addresses',
    async (workers) => {
      const { alerts, stats } = await run(['--workers', String(workers)]);
      expect(alerts.equals(inline.alerts)).toBe(true);
      expect(stats).toMatchObject({
        events: EVENTS,
        alerts: inline.stats.alerts,
        workers,
        chunks: CHUNKS,
        liveAddresses: inline.stats.liveAddresses,
        expiredAddresses: inline.stats.expiredAddresses,
      });
      // However far the main thread got before the threads were up (a timing of this machine).
      expect(stats.headStartChunks).toBeGreaterThanOrEqual(0);
      expect(stats.headStartChunks).toBeLessThanOrEqual(CHUNKS);
      expect(stats.workerBusy).toHaveLength(workers);
    },
  );

  it('a long job: the threads start once the pace says they pay and take it over, the same alerts', async () => {
    // 30 M events, ~2 s of work on one thread: worth two threads' start on two cores or more, even
    // when they take a while to boot on a busy machine.
    const long = ['--events', '30000000', '--seed', '5', '--error-rate', '0.001'];
    const inlineRun = await run(['--workers', '0'], long);
    const { alerts, stats } = await run(['--workers', '2'], long);
    expect(alerts.equals(inlineRun.alerts)).toBe(true);
    expect(stats.liveAddresses).toBe(inlineRun.stats.liveAddresses);
    expect(stats.headStartChunks).toBeGreaterThan(5);
    if (availableParallelism() >= 2) {
      expect(stats.headStartChunks).toBeLessThan(stats.chunks);
      expect(stats.workerBusy[1]).toBeGreaterThan(0);
    }
  });

  it('--no-head-start: every chunk in the threads, the same alerts', async () => {
    const { alerts, stats } = await run(['--workers', '2', '--no-head-start']);
    expect(alerts.equals(inline.alerts)).toBe(true);
    expect(stats.headStartChunks).toBe(0);
    expect(stats.liveAddresses).toBe(inline.stats.liveAddresses);
  });

  it('a job of fewer than 32 chunks runs on the main thread only', async () => {
    const dir = tempDir();
    const stats = join(dir, 'stats.json');
    const result = await runCli([
      'run',
      '--events',
      '1000000',
      '--workers',
      '2',
      '--stats',
      stats,
      '--quiet',
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    const summary = JSON.parse(readFileSync(stats, 'utf8')) as RunStats;
    expect(summary).toMatchObject({ workers: 2, chunks: 16, headStartChunks: 16 });
    // The threads never ran: worker 0's share is the main thread's, worker 1 did nothing.
    expect(summary.workerBusy[1]).toBe(0);
  });
});
