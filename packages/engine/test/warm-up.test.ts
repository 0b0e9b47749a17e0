import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createJob } from '../src/api/job.js';
import { recordsSink } from '../src/api/records-sink.js';
import {
  hasWarmWorkers,
  releaseWarmWorkers,
  warmUpWorkers,
  warmWorkersSettled,
  whenWarmWorkersSettled,
} from '../src/warm-up.js';
import { counterReference, fixture, freshDirs, randomEvents, toBatches } from './helpers.js';

const tempDir = freshDirs('warm-up');

const events = randomEvents(11, 5000, 150, 3);
const expected = counterReference([toBatches(events, events.length)[0]!]).outputs.map(
  ([, , key, code]) => `${key}:${code}`,
);

async function runCounter(workers: number): Promise<string[]> {
  const seen: string[] = [];
  await createJob({
    source: toBatches(events, 500),
    operator: { module: fixture('counter') },
    sink: recordsSink(
      (columns) => Array.from({ length: columns.count }, (_, i) => `${columns.keys[i]}:${columns.codes[i]}`),
      (items) => {
        seen.push(...items);
      },
    ),
    workers,
    partitions: 8,
  }).run();
  return seen;
}

afterEach(async () => {
  await releaseWarmWorkers();
});

describe('warmUpWorkers', () => {
  it('starts threads that the next job with that many workers takes, with the same output', async () => {
    warmUpWorkers(2);
    expect(hasWarmWorkers()).toBe(true);
    expect(await runCounter(2)).toEqual(expected);
    expect(hasWarmWorkers()).toBe(false);
    // The next job starts its own threads again.
    expect(await runCounter(2)).toEqual(expected);
  });

  it('leaves them to a job with their count: one with another count starts its own', async () => {
    warmUpWorkers(3);
    expect(await runCounter(2)).toEqual(expected);
    expect(await runCounter(0)).toEqual(expected);
    expect(hasWarmWorkers()).toBe(true);
    expect(await runCounter(3)).toEqual(expected);
    expect(hasWarmWorkers()).toBe(false);
  });

  it('replaces a waiting set warmed up for another count, and releases it', async () => {
    warmUpWorkers(1);
    warmUpWorkers(1);
    warmUpWorkers(2);
    expect(hasWarmWorkers()).toBe(true);
    await releaseWarmWorkers();
    expect(hasWarmWorkers()).toBe(false);
    expect(await runCounter(2)).toEqual(expected);
  });

  it('says ready once every thread runs, and again once they have imported the modules given later', async () => {
    const file = join(tempDir(), 'imports.txt');
    const probe = `${new URL('./fixtures/import-probe.ts', import.meta.url).href}?file=${encodeURIComponent(file)}`;
    const ready = async () => {
      await whenWarmWorkersSettled();
      expect(warmWorkersSettled(2)).toBe(true);
    };
    warmUpWorkers(2);
    await ready();
    warmUpWorkers(2, undefined, [probe]);
    expect(warmWorkersSettled(2)).toBe(false);
    await ready();
    const threads = readFileSync(file, 'utf8').trim().split('\n').map(Number);
    expect(threads.length).toBeGreaterThanOrEqual(1);
    expect(threads).not.toContain(threadId);
    // Modules already imported are not asked for again: the set stays ready.
    warmUpWorkers(2, undefined, [probe]);
    expect(warmWorkersSettled(2)).toBe(true);
    expect(warmWorkersSettled(3)).toBe(false);
  });

  it('refuses a count below 1', () => {
    expect(() => warmUpWorkers(0)).toThrow(/worker count ≥ 1, got 0/);
    expect(() => warmUpWorkers(1.5)).toThrow(RangeError);
    expect(hasWarmWorkers()).toBe(false);
  });
});
