import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../src/batch.js';
import { InvalidJobOptionsError, isStatecraftError } from '../src/errors.js';
import { MAX_PARTITIONS } from '../src/partitioning/key-groups.js';
import { runJob } from '../src/runtime/job.js';
import { type JobOptions, resolveJobOptions } from '../src/runtime/job-options.js';
import { fixture, recordingSink } from './helpers.js';

type Counts = Pick<JobOptions, 'workers' | 'partitions' | 'maxInFlightPerWorker'>;

describe('invalid job options', () => {
  it.each<[string, Counts, RegExp]>([
    ['negative workers', { workers: -1, partitions: 8 }, /workers must be an integer ≥ 0, got -1/],
    ['fractional workers', { workers: 1.5, partitions: 8 }, /workers must be an integer ≥ 0, got 1\.5/],
    ['NaN workers', { workers: Number.NaN, partitions: 8 }, /workers must be an integer/],
    ['infinite workers', { workers: Number.POSITIVE_INFINITY }, /workers must be an integer/],
    ['partitions 0', { workers: 0, partitions: 0 }, /partitions must be an integer in 1\.\.1048576, got 0/],
    ['negative partitions', { workers: 0, partitions: -4 }, /partitions must be an integer/],
    [
      'fractional partitions',
      { workers: 1, partitions: 7.5 },
      /partitions must be an integer in 1\.\.\d+, got 7\.5/,
    ],
    [
      'too many partitions',
      { workers: 1, partitions: MAX_PARTITIONS + 1 },
      /partitions must be an integer in 1\.\.1048576/,
    ],
    [
      'more workers than partitions',
      { workers: 8, partitions: 7 },
      /workers \(8\) cannot exceed partitions \(7\)/,
    ],
    [
      'more default workers than partitions',
      { workers: 2, partitions: 1 },
      /workers \(2\) cannot exceed partitions \(1\)/,
    ],
    [
      'maxInFlightPerWorker 0',
      { workers: 1, partitions: 8, maxInFlightPerWorker: 0 },
      /maxInFlightPerWorker must be an integer ≥ 1, got 0/,
    ],
    [
      'fractional maxInFlightPerWorker',
      { workers: 1, partitions: 8, maxInFlightPerWorker: 2.5 },
      /maxInFlightPerWorker must be an integer/,
    ],
  ])('%s: rejects with InvalidJobOptionsError before reading the source', async (_, counts, message) => {
    let pulled = 0;
    function* source(): Generator<EventBatch> {
      pulled++;
      yield { count: 0, addresses: new Uint32Array(0), types: new Uint8Array(0) };
    }
    const sink = recordingSink();
    const error = await runJob({
      source: source(),
      operator: { module: fixture('counter'), config: {} },
      sink,
      ...counts,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidJobOptionsError);
    expect(isStatecraftError(error)).toBe(true);
    expect((error as InvalidJobOptionsError).code).toBe('INVALID_JOB_OPTIONS');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect(pulled).toBe(0);
    expect(sink.closed).toBe(0);
  });

  it('accepts the boundaries: workers 0, workers = partitions, partitions = MAX_PARTITIONS', () => {
    const base = { source: [], operator: { module: fixture('counter'), config: {} }, sink: recordingSink() };
    expect(resolveJobOptions({ ...base, workers: 0, partitions: 1 })).toMatchObject({
      workers: 0,
      partitions: 1,
    });
    expect(resolveJobOptions({ ...base, workers: 7, partitions: 7 })).toMatchObject({
      workers: 7,
      partitions: 7,
    });
    expect(resolveJobOptions({ ...base, workers: 1, partitions: MAX_PARTITIONS })).toMatchObject({
      partitions: MAX_PARTITIONS,
      maxInFlightPerWorker: 4,
    });
  });
});
