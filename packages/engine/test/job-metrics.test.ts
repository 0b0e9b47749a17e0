import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../src/batch.js';
import { InvalidJobOptionsError } from '../src/errors.js';
import { keyGroupOf } from '../src/partitioning/key-groups.js';
import { runJob } from '../src/runtime/job.js';
import type { JobOptions } from '../src/runtime/job-options.js';
import type { JobMetrics } from '../src/runtime/monitor/job-metrics.js';
import type { JobSummary } from '../src/runtime/summary.js';
import { type TestSourceConfig, testChunks, testSource } from './fixtures/parallel-producer.js';
import { counterOutputs, parallelFixture, recordingSink } from './fixtures/parallel-support.js';

const counter = { module: parallelFixture('parallel-counter'), config: {} };

const STREAM: TestSourceConfig = {
  chunks: 24,
  splits: 5,
  keys: 300,
  seed: 5,
  sizes: [400, 0, 1200, 90, 700],
};
const streamChunks = testChunks(STREAM);
const PARTITIONS = 16;
/** The sink holds this chunk's write until the monitor has reported this many times with chunks queued. */
const HOLD_CHUNK = 7; // a chunk with events (the sink sees no empty chunk)
const REPORTS_WHILE_HELD = 2;

/** Max / mean events per key group of the whole stream, computed here from the events themselves. */
function skewOf(chunks: readonly EventBatch[], partitions: number): number {
  const counts = new Array<number>(partitions).fill(0);
  let total = 0;
  for (const batch of chunks) {
    for (let i = 0; i < batch.count; i++) {
      counts[keyGroupOf(batch.addresses[i]!, partitions)]!++;
      total++;
    }
  }
  return Math.max(...counts) / (total / partitions);
}

/**
 * Runs a job with onMetrics every 10 ms; the sink stops at HOLD_CHUNK until the monitor has reported
 * the run in progress a few times, so mid-run reports are seen however fast or slow the machine is.
 */
async function monitoredRun(
  options: Pick<JobOptions, 'source' | 'workers' | 'sourceParallelism'> & Partial<JobOptions>,
): Promise<{ reports: JobMetrics[]; summary: JobSummary }> {
  const reports: JobMetrics[] = [];
  let release: () => void = () => undefined;
  const enoughReports = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sink = recordingSink(async (chunk) => {
    if (chunk === HOLD_CHUNK) await enoughReports;
  });
  const summary = await runJob({
    operator: counter,
    sink,
    partitions: PARTITIONS,
    metricsIntervalMs: 10,
    ...options,
    onMetrics: (metrics) => {
      reports.push(metrics);
      if (reports.filter((r) => r.inFlightChunks > 0).length >= REPORTS_WHILE_HELD) release();
    },
  });
  return { reports, summary };
}

function expectConsistentReports(reports: readonly JobMetrics[], summary: JobSummary, workers: number) {
  const last = reports.at(-1)!;
  expect(last.final).toBe(true);
  expect(reports.filter((r) => r.final)).toHaveLength(1);
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.events).toBeGreaterThanOrEqual(reports[i - 1]!.events);
    expect(reports[i]!.outputs).toBeGreaterThanOrEqual(reports[i - 1]!.outputs);
    expect(reports[i]!.elapsedMs).toBeGreaterThanOrEqual(reports[i - 1]!.elapsedMs);
  }
  expect(last).toMatchObject({
    events: summary.events,
    outputs: summary.outputs,
    chunks: summary.chunks,
    liveKeys: summary.liveKeys,
    restarts: summary.restarts,
    inFlightChunks: 0,
  });
  // Every written chunk's latency is reported exactly once, over all reports.
  const latencies = reports.flatMap((r) => r.batchLatenciesMs);
  expect(latencies).toHaveLength(summary.chunks);
  for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(0);
  // While the sink was held, reports saw a run in progress with chunks queued.
  const midRun = reports.filter((r) => !r.final && r.inFlightChunks > 0 && r.events < summary.events);
  expect(midRun.length).toBeGreaterThanOrEqual(REPORTS_WHILE_HELD);

  for (const report of reports) {
    expect(report.workers).toHaveLength(Math.max(1, workers));
    for (const worker of report.workers) {
      expect(worker.busyRatio).toBeGreaterThanOrEqual(0);
      expect(worker.busyRatio).toBeLessThanOrEqual(1);
      expect(worker.averageBusyRatio).toBeGreaterThanOrEqual(0);
      expect(worker.averageBusyRatio).toBeLessThanOrEqual(1);
    }
  }
  // Each worker reports the events its operator applied: together, every event once.
  expect(last.workers.reduce((n, w) => n + w.events, 0)).toBe(summary.events);
  expect(last.workers.some((w) => w.averageBusyRatio > 0)).toBe(true);
  expect(last.keyGroupSkew).toBeCloseTo(skewOf(streamChunks, PARTITIONS), 9);
  expect(last.averageEventsPerSecond).toBeGreaterThan(0);
}

describe('onMetrics with a parallel source', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 2],
  ])(
    'workers %i, sourceParallelism %i: live reports, then a final one like the summary',
    async (workers, s) => {
      const { reports, summary } = await monitoredRun({
        source: testSource(STREAM),
        workers,
        sourceParallelism: s,
      });
      expect(summary.events).toBe(streamChunks.reduce((n, c) => n + c.count, 0));
      expectConsistentReports(reports, summary, workers);
      for (const report of reports) expect(report.totalChunks).toBe(STREAM.chunks);
      expect(reports.at(-1)!.rejects).toEqual(summary.rejects);
      expect(Object.keys(summary.rejects).length).toBeGreaterThan(0);
    },
  );

  it('reports the live keys of threads that wait with nothing to send (the sink holds them back)', async () => {
    // While chunk HOLD_CHUNK is being written, chunks up to HOLD_CHUNK + the grant window
    // (maxInFlightPerWorker 4 × max(W, S) 2) are applied, then the threads idle.
    const applied = streamChunks.slice(0, HOLD_CHUNK + 4 * 2);
    const expected = counterOutputs(applied).liveKeys;
    expect(expected).not.toBe(counterOutputs(streamChunks).liveKeys);
    let release: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => {
      release = resolve;
    });
    const summary = await runJob({
      source: testSource(STREAM),
      operator: counter,
      sink: recordingSink(async (chunk) => {
        if (chunk === HOLD_CHUNK) await seen;
      }),
      workers: 2,
      sourceParallelism: 2,
      partitions: PARTITIONS,
      metricsIntervalMs: 10,
      onMetrics: (metrics) => {
        if (metrics.chunks === HOLD_CHUNK && metrics.liveKeys === expected) release();
      },
    });
    expect(summary.chunks).toBe(STREAM.chunks);
  });

  it('counts restarts, and reports again from the restarted attempt', async () => {
    const { reports, summary } = await monitoredRun({
      source: testSource(STREAM),
      workers: 2,
      sourceParallelism: 2,
      maxRestarts: 2,
      restartBackoffMs: 1,
      injectWorkerDeaths: [[1, 500]],
    });
    expect(summary.restarts).toBe(1);
    expect(reports.at(-1)!.restarts).toBe(1);
    // Going back to the start costs an interval's rate, never makes it negative.
    for (const report of reports) expect(report.eventsPerSecond).toBeGreaterThanOrEqual(0);
    expect(reports.at(-1)!.events).toBe(summary.events);
  });
});

describe('onMetrics with an iterable source', () => {
  it.each([0, 2])('workers %i', async (workers) => {
    const { reports, summary } = await monitoredRun({ source: streamChunks, workers });
    expectConsistentReports(reports, summary, workers);
    for (const report of reports) expect(report.totalChunks).toBeUndefined();
  });
});

describe('onMetrics failures and options', () => {
  it('a callback that throws fails the job with its error once the job has ended', async () => {
    const sink = recordingSink();
    const failure = new Error('metrics callback failed');
    let calls = 0;
    await expect(
      runJob({
        source: testSource(STREAM),
        operator: counter,
        sink,
        workers: 1,
        partitions: PARTITIONS,
        onMetrics: () => {
          calls++;
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
    expect(sink.closed).toBe(1);
  });

  it('rejects a metrics interval below 10 ms', async () => {
    await expect(
      runJob({
        source: streamChunks,
        operator: counter,
        sink: recordingSink(),
        workers: 0,
        onMetrics: () => undefined,
        metricsIntervalMs: 1,
      }),
    ).rejects.toThrow(InvalidJobOptionsError);
  });
});
