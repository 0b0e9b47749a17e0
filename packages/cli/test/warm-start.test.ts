import { describe, expect, it } from 'vitest';
import { INLINE_BELOW_EVENTS } from '../src/definitions/defaults.js';
import { workersKnownFromFlags } from '../src/warm-start.js';
import { defaultWorkers } from '../src/worker-count.js';

describe('workersKnownFromFlags (threads started before the run command loads)', () => {
  it('is --workers when given and valid, whatever the source', () => {
    expect(workersKnownFromFlags({ workers: 2 }, 16)).toBe(2);
    expect(workersKnownFromFlags({ workers: 3, input: 'events.csv' }, 16)).toBe(3);
    expect(workersKnownFromFlags({ workers: 4, input: '-' }, 16)).toBe(4);
  });

  it('agrees with the run’s default worker count for the generator and stdin', () => {
    for (const events of [1, 100_000, INLINE_BELOW_EVENTS - 1, INLINE_BELOW_EVENTS, 50_000_000, undefined]) {
      const expected = defaultWorkers({ events }, 4);
      expect(workersKnownFromFlags({ events }, 4)).toBe(expected === 0 ? undefined : expected);
    }
    expect(workersKnownFromFlags({ input: '-' }, 4)).toBe(defaultWorkers({ input: '-' }, 4));
    // The default is capped by the partitions, as the run caps it.
    expect(workersKnownFromFlags({ events: 50_000_000, partitions: 2 }, 16)).toBe(2);
  });

  it('is undefined when no thread will start or the flags alone do not say', () => {
    expect(workersKnownFromFlags({ workers: 0 }, 4)).toBeUndefined();
    expect(workersKnownFromFlags({ events: 1000 }, 4)).toBeUndefined(); // a short job runs inline
    expect(workersKnownFromFlags({ input: 'events.csv' }, 4)).toBeUndefined(); // its size decides
    expect(workersKnownFromFlags({ workers: 2, brokers: '127.0.0.1:9092' }, 4)).toBeUndefined();
  });

  it('with a head start: only for a fed input (a head-started job starts its threads itself)', () => {
    const headStart = true;
    for (const events of [1_000_000, 50_000_000, 1_000_000_000]) {
      expect(workersKnownFromFlags({ workers: 2, events, headStart }, 4)).toBeUndefined();
    }
    expect(workersKnownFromFlags({ events: 50_000_000, headStart }, 4)).toBeUndefined();
    expect(workersKnownFromFlags({ workers: 2, input: 'events.csv', headStart }, 4)).toBeUndefined();
    // Stdin and .gz are read once, in order: no head start, the threads start first.
    expect(workersKnownFromFlags({ workers: 2, input: '-', headStart }, 4)).toBe(2);
    expect(workersKnownFromFlags({ workers: 2, input: 'events.csv.gz', headStart }, 4)).toBe(2);
    expect(workersKnownFromFlags({ workers: 2, events: 1_000_000, headStart: false }, 4)).toBe(2);
  });

  it('is undefined for flags the run rejects, so the run reports them', () => {
    expect(workersKnownFromFlags({ workers: 5, partitions: 4 }, 4)).toBeUndefined();
    expect(workersKnownFromFlags({ workers: -1 }, 4)).toBeUndefined();
    expect(workersKnownFromFlags({ workers: 1.5 }, 4)).toBeUndefined();
    expect(workersKnownFromFlags({ workers: 2, partitions: 0 }, 4)).toBeUndefined();
    expect(workersKnownFromFlags({ workers: Number.NaN }, 4)).toBeUndefined();
  });
});
