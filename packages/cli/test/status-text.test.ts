import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileSource, type JobMetrics, RecordStreamSource } from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import { inputProgress } from '../src/status/input-progress.js';
import { StatusTracker } from '../src/status/status-snapshot.js';
import { progressFields, progressText, statusLines } from '../src/status/status-text.js';
import { formatSummary, type RunStats } from '../src/summary.js';
import { useTempDir } from './helpers.js';

const dir = useTempDir();
function metrics(overrides: Partial<JobMetrics> = {}): JobMetrics {
  return {
    elapsedMs: 4000,
    events: 2_500_000,
    outputs: 1234,
    chunks: 38,
    totalChunks: 153,
    eventsPerSecond: 2_130_000,
    averageEventsPerSecond: 625_000,
    inFlightChunks: 8,
    workers: [
      { busyRatio: 0.78, averageBusyRatio: 0.7, events: 1_200_000 },
      { busyRatio: 0.91, averageBusyRatio: 0.8, events: 1_300_000 },
    ],
    liveKeys: 9876,
    keyGroupSkew: 1.0412,
    rejects: { 'bad-address': 2 },
    checkpoints: { taken: 2, lastMs: 41.2, lastBytes: 1000, totalMs: 80 },
    restarts: 1,
    batchLatenciesMs: [30, 10, 20],
    final: false,
    ...overrides,
  };
}

const title = { source: 'generator', machine: 'seed', workers: 2, partitions: 128 };
const generatorProgress = inputProgress(
  { kind: 'parallel', module: '', config: {}, chunks: 153, splits: 8, name: 'generator' },
  { path: undefined, events: 10_000_000, fileSize: undefined },
);

describe('status text', () => {
  it('the area shows every measure, with a progress bar and an ETA for the generator', () => {
    const tracker = new StatusTracker(generatorProgress, () => ({ 'unknown-event': 1 }));
    tracker.snapshot(metrics({ events: 0, elapsedMs: 100 }));
    const lines = statusLines(tracker.snapshot(metrics()), title);
    expect(lines[0]).toBe('statecraft run · generator · machine seed · 2 workers · 128 partitions · 4.0 s');
    // 2.5 M of 10 M events in 4 s (counted from the first report at 0 events): 7.5 M more take 12 s.
    expect(lines[1]).toMatch(/^progress {2}█{7}░{21} {2}25% {2}2,500,000 \/ 10,000,000 events {2}ETA 12 s$/);
    expect(lines[2]).toBe('rate      2.13 M events/s now · 625.0 k events/s average');
    expect(lines[3]).toBe('events    2,500,000 processed · 1,234 alerts · 3 rejected · 9,876 live addresses');
    expect(lines[4]).toBe('busy      0 ██████░░  78%  1 ███████░  91%');
    expect(lines[5]).toBe('queue     8 chunks in flight · key-group skew 1.04 · batch 20.0 ms');
    expect(lines[6]).toBe('recovery  2 checkpoints (last 41 ms) · 1 restarts');
  });

  it('the plain line and the JSON fields say the same', () => {
    const tracker = new StatusTracker(generatorProgress, () => ({}));
    const snapshot = tracker.snapshot(metrics());
    expect(progressText(snapshot)).toBe(
      'progress 4.0 s: 2,500,000 / 10,000,000 events (25%), 2.13 M events/s (average 625.0 k), ' +
        '2,500,000 events, 1,234 alerts, 2 rejected, busy 78% 91%, queue 8, skew 1.04, live 9,876, ' +
        'checkpoints 2, restarts 1',
    );
    expect(progressFields(snapshot)).toMatchObject({
      events: 2_500_000,
      alerts: 1234,
      rejected: 2,
      workerBusy: [0.78, 0.91],
      inFlightChunks: 8,
      progress: { done: 2_500_000, total: 10_000_000 },
    });
  });

  it('many workers show as percentages only', () => {
    const workers = Array.from({ length: 12 }, (_, w) => ({
      busyRatio: w / 12,
      averageBusyRatio: 0,
      events: 0,
    }));
    const tracker = new StatusTracker(generatorProgress, () => ({}));
    const lines = statusLines(tracker.snapshot(metrics({ workers })), { ...title, workers: 12 });
    expect(lines[4]).toBe(
      `busy      ${workers.map((w, i) => `${i}:${Math.round(w.busyRatio * 100)}%`).join('  ')}`,
    );
  });
});

describe('input progress', () => {
  it('a file read in parallel: bytes of the chunks written, of the file size', () => {
    const path = join(dir(), 'events.csv');
    writeFileSync(path, '1.2.3.4,a\n'.repeat(1000));
    const source = fileSource(path, { eventNames: ['a', 'b'], chunkBytes: 4000 });
    const progress = inputProgress(source, { path, events: 0, fileSize: 10_000 });
    expect(progress(metrics({ chunks: 1 }))).toMatchObject({ done: 4000, total: 10_000 });
    expect(progress(metrics({ chunks: 3 }))).toMatchObject({
      done: 10_000,
      total: 10_000,
      text: '9.8 KiB / 9.8 KiB',
    });
  });

  it('a file read on the main thread: bytes read of its size; stdin: bytes read, no total', async () => {
    const bytes = Buffer.from('1.2.3.4,a\n'.repeat(100));
    const stream = () => Readable.from([bytes]);
    const file = new RecordStreamSource(stream(), { eventNames: ['a'] });
    for await (const _ of file) {
      // read it all
    }
    expect(
      inputProgress(file, { path: 'x.csv', events: 0, fileSize: bytes.length })(metrics()),
    ).toMatchObject({
      done: bytes.length,
      total: bytes.length,
    });
    const piped = new RecordStreamSource(stream(), { eventNames: ['a'] });
    expect(inputProgress(piped, { path: '-', events: 0, fileSize: undefined })(metrics())).toMatchObject({
      done: 0,
      total: undefined,
      text: '0 B read',
    });
  });

  it('an iterable of batches: events only', () => {
    expect(inputProgress([], { path: undefined, events: 0, fileSize: undefined })(metrics())).toEqual({
      done: 2_500_000,
      total: undefined,
      text: '2,500,000 events',
    });
  });
});

describe('the summary table', () => {
  it('has a row for every field of the stats file, by the same name', () => {
    const stats: RunStats = {
      events: 1000,
      alerts: 5,
      rejected: 1,
      rejectedByReason: { 'bad-address': 1 },
      elapsedMs: 120,
      eventsPerSecond: 8333,
      workers: 2,
      partitions: 16,
      chunks: 3,
      headStartChunks: 2,
      liveAddresses: 40,
      p50BatchMs: 1.5,
      p99BatchMs: 3.25,
      peakRssBytes: 100 * 1024 * 1024,
      machine: 'seed',
      source: 'generator',
      interrupted: false,
      expiredAddresses: 0,
      checkpoints: 1,
      checkpointMs: 12,
      restarts: 0,
      resumedFromChunk: 0,
      keyGroupSkew: 1.25,
      workerBusy: [0.5, 0.25],
    };
    const text = formatSummary(stats);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^done: 1,000 events, 5 alerts, 1 rejected in 0\.12 s/);
    const rows = new Map(
      lines
        .slice(1)
        .filter((line) => !/^ {2}rejected [\d,]+:/.test(line))
        .map((line) => {
          const m = /^ {2}(\w+) +(.+)$/.exec(line)!;
          return [m[1]!, m[2]!];
        }),
    );
    const fields = Object.keys(stats).filter((key) => key !== 'rejectedByReason');
    expect([...rows.keys()].sort()).toEqual(fields.sort());
    expect(rows.get('workerBusy')).toBe('50% 25%');
    expect(rows.get('keyGroupSkew')).toBe('1.25');
    expect(rows.get('peakRssBytes')).toBe('100.0 MiB');
    expect(lines.at(-1)).toBe(
      '  rejected 1: address is not a dotted IPv4 address or a non-negative integer (bad-address)',
    );
  });
});
