import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, startCli, startCliWithWorkerDeaths, useTempDir } from './helpers.js';
import {
  alertRound,
  metricsBase,
  parsePrometheus,
  prometheusTypes,
  startMetricsRun,
  waitFor,
  watch,
} from './support/live-run.js';

beforeAll(assertBuilt);
const dir = useTempDir();
async function scrape(base: string): Promise<{ text: string; samples: Map<string, number> }> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, samples: parsePrometheus(text) };
}

const sample = (samples: Map<string, number>, key: string) => samples.get(key) ?? Number.NaN;

describe('--metrics-port', () => {
  it('serves Prometheus metrics that grow while the job runs (scraped twice)', async () => {
    const { child, run } = startMetricsRun();
    try {
      const base = await waitFor('the metrics address on stderr', () => metricsBase(run.stderr()));
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // Round 1: 2,000 events (1,000 alerts) and three records the parser rejects.
      child.stdin!.write(`${alertRound(1, 1000)}300.1.1.1,a\nnot an address,b\n1.2.3.4,q\n`);
      const first = await waitFor('the first round in the metrics', async () => {
        const scraped = await scrape(base);
        return sample(scraped.samples, 'statecraft_events_total') >= 2000 ? scraped : undefined;
      });
      child.stdin!.write(alertRound(2, 1500));
      // Live addresses come with the threads' outputs at most every 500 ms, or on their own once
      // the input goes idle: wait for them too.
      const second = await waitFor('the second round in the metrics', async () => {
        const scraped = await scrape(base);
        const done =
          sample(scraped.samples, 'statecraft_events_total') >= 5000 &&
          sample(scraped.samples, 'statecraft_live_addresses') === 2500;
        return done ? scraped : undefined;
      });

      const types = prometheusTypes(second.text);
      expect(Object.fromEntries([...types].filter(([name]) => name.startsWith('statecraft_')))).toEqual({
        statecraft_events_total: 'counter',
        statecraft_alerts_total: 'counter',
        statecraft_rejected_total: 'counter',
        statecraft_batch_latency_seconds: 'histogram',
        statecraft_in_flight_batches: 'gauge',
        statecraft_live_addresses: 'gauge',
        statecraft_worker_busy_ratio: 'gauge',
        statecraft_key_group_skew: 'gauge',
        statecraft_checkpoint_duration_seconds: 'gauge',
        statecraft_checkpoints_total: 'counter',
        statecraft_restarts_total: 'counter',
      });
      // Node's default process metrics are there too.
      expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
      expect(types.get('nodejs_heap_size_used_bytes')).toBe('gauge');

      // Counters grow between the scrapes.
      expect(sample(first.samples, 'statecraft_events_total')).toBe(2000);
      expect(sample(second.samples, 'statecraft_events_total')).toBe(5000);
      expect(sample(first.samples, 'statecraft_alerts_total')).toBe(1000);
      expect(sample(second.samples, 'statecraft_alerts_total')).toBe(2500);
      expect(sample(second.samples, 'statecraft_rejected_total{reason="address-out-of-range"}')).toBe(1);
      expect(sample(second.samples, 'statecraft_rejected_total{reason="bad-address"}')).toBe(1);
      expect(sample(second.samples, 'statecraft_rejected_total{reason="unknown-event"}')).toBe(1);
      expect(sample(second.samples, 'statecraft_rejected_total{reason="empty-line"}')).toBe(0);

      // The histogram has its buckets, cumulative, and counts every chunk written.
      const buckets = [...second.samples].filter(([key]) =>
        key.startsWith('statecraft_batch_latency_seconds_bucket'),
      );
      expect(buckets.length).toBeGreaterThanOrEqual(10);
      expect(buckets.at(-1)![0]).toBe('statecraft_batch_latency_seconds_bucket{le="+Inf"}');
      const counts = buckets.map(([, n]) => n);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      const firstCount = sample(first.samples, 'statecraft_batch_latency_seconds_count');
      const secondCount = sample(second.samples, 'statecraft_batch_latency_seconds_count');
      expect(firstCount).toBeGreaterThanOrEqual(1);
      expect(secondCount).toBeGreaterThan(firstCount);
      expect(counts.at(-1)).toBe(secondCount);

      // Gauges: every worker's load, the live addresses (2,500 addresses sit in state W).
      for (const worker of ['0', '1']) {
        const busy = sample(second.samples, `statecraft_worker_busy_ratio{worker="${worker}"}`);
        expect(busy).toBeGreaterThanOrEqual(0);
        expect(busy).toBeLessThanOrEqual(1);
      }
      expect(sample(second.samples, 'statecraft_live_addresses')).toBe(2500);
      expect(sample(second.samples, 'statecraft_in_flight_batches')).toBeGreaterThanOrEqual(0);
      expect(sample(second.samples, 'statecraft_key_group_skew')).toBeGreaterThanOrEqual(1);

      child.stdin!.end();
      expect(await run.exited).toBe(EXIT.ok);
      // The port closes with the job.
      await expect(fetch(`${base}/metrics`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('counts checkpoints (with their duration) and restarts', async () => {
    const child = startCliWithWorkerDeaths(
      [
        'run',
        ...['--events', '2000000000', '--workers', '2', '--output', join(dir(), 'alerts.txt')],
        ...['--checkpoint-dir', join(dir(), 'checkpoints'), '--checkpoint-interval', '300000'],
        ...['--metrics-port', '0', '--progress-interval', '0'],
      ],
      '1@1500000',
    );
    const run = watch(child);
    try {
      const base = await waitFor('the metrics address on stderr', () => metricsBase(run.stderr()));
      const scraped = await waitFor('a checkpoint and a restart in the metrics', async () => {
        const { samples } = await scrape(base);
        const done =
          sample(samples, 'statecraft_checkpoints_total') >= 2 &&
          sample(samples, 'statecraft_restarts_total') === 1;
        return done ? samples : undefined;
      });
      expect(sample(scraped, 'statecraft_checkpoint_duration_seconds')).toBeGreaterThan(0);
      expect(run.stderr()).toMatch(/restart 1 of 3 from chunk \d+/);
      child.kill('SIGINT');
      expect(await run.exited).toBe(EXIT.interrupted);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a port that is taken, with one line and exit code 2', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = startCli(['run', '--events', '1000', '--workers', '0', '--metrics-port', String(port)]);
      const run = watch(child);
      expect(await run.exited).toBe(EXIT.usage);
      expect(run.stderr()).toBe(
        `statecraft: --metrics-port ${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE) (see --help)\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
