import { describe, expect, it } from 'vitest';
import type { OutputColumns } from '../src/batch.js';
import { runJob } from '../src/runtime/job.js';
import type { OutputSink } from '../src/sinks/sink.js';
import { type Event, fixture, toBatches } from './helpers.js';

/** Records the order of `write` and `chunkWritten` calls. */
function acknowledgingSink(): OutputSink & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async write(chunk: number, _columns: OutputColumns) {
      await new Promise((resolve) => setImmediate(resolve));
      calls.push(`write ${chunk}`);
    },
    chunkWritten(chunk: number) {
      calls.push(`written ${chunk}`);
    },
  };
}

describe('OutputSink.chunkWritten', () => {
  it.each([0, 2])(
    'follows every chunk in order, once its writes are done, also for chunks without outputs (workers %i)',
    async (workers) => {
      // The counter fixture emits an output for type-0 events only: chunks 1 and 3 have none.
      const events: Event[] = [
        [1, 0],
        [2, 0],
        [3, 2],
        [4, 2],
        [5, 0],
        [6, 2],
        [7, 2],
        [8, 2],
      ];
      const sink = acknowledgingSink();
      await runJob({
        source: toBatches(events, 2),
        operator: { module: fixture('counter'), config: {} },
        sink,
        workers,
        partitions: 8,
      });
      expect(sink.calls).toEqual(['write 0', 'written 0', 'written 1', 'write 2', 'written 2', 'written 3']);
    },
  );
});
