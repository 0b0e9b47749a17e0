import { describe, expect, it } from 'vitest';
import { ChunkPace, handOverPays, threadsPay } from '../src/runtime/hand-over-model.js';

describe('when threads win back taking a job over (the head start)', () => {
  it('never for threads no faster than this thread: one worker, or one core', () => {
    expect(handOverPays(1e9, 1, 16)).toBe(false);
    expect(handOverPays(1e9, 8, 1)).toBe(false);
    expect(threadsPay(1e9, 1, 16)).toBe(false);
  });

  it('two threads on two cores: from 650 ms of work left, 760 ms before they boot', () => {
    // 1.3 times this thread's speed saves 3/13 of the work left; taking over costs 150 ms.
    expect(handOverPays(650, 2, 2)).toBe(true);
    expect(handOverPays(649, 2, 2)).toBe(false);
    expect(threadsPay(760, 2, 2)).toBe(true);
    expect(threadsPay(759, 2, 2)).toBe(false);
    // More threads than cores are no faster than one per core.
    expect(handOverPays(649, 16, 2)).toBe(false);
  });

  it('the more cores the threads get, the shorter the work worth handing over', () => {
    const leastPaying = (workers: number, cores: number) => {
      let ms = 0;
      while (!handOverPays(ms, workers, cores)) ms++;
      return ms;
    };
    expect(leastPaying(4, 4)).toBeLessThan(leastPaying(2, 2));
    expect(leastPaying(8, 16)).toBeLessThan(leastPaying(4, 4));
    expect(leastPaying(16, 16)).toBeLessThan(leastPaying(8, 16));
    // Never below the take-over's own cost.
    expect(leastPaying(64, 64)).toBeGreaterThanOrEqual(150);
  });
});

describe('ChunkPace (this thread’s time per chunk)', () => {
  const paceOf = (times: number[]) => {
    let i = 0;
    const pace = new ChunkPace(() => times[i++]!);
    for (const _ of times) pace.tick();
    return pace.msPerChunk();
  };

  it('is unknown until 5 chunks are timed', () => {
    expect(paceOf([])).toBeUndefined();
    expect(paceOf([0, 10, 20, 30, 40])).toBeUndefined();
    expect(paceOf([0, 10, 20, 30, 40, 50])).toBe(10);
  });

  it('is the shortest of the last 5 chunks: slow ones (cold code, a collection) do not sway it', () => {
    expect(paceOf([0, 30, 55, 59, 63, 67])).toBe(4);
    expect(paceOf([0, 4, 8, 108, 112, 116])).toBe(4);
    // The first chunks' pace is forgotten once 5 later ones are timed.
    expect(paceOf([0, 1, 2, 12, 22, 32, 42, 52])).toBe(10);
  });
});
