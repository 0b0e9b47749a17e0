import { describe, expect, it } from 'vitest';
import type { EventBatch, OutputColumns } from '../src/batch.js';
import { SinkError } from '../src/errors.js';
import { runJob } from '../src/runtime/job.js';
import { counterReference, fixture, type Output, recordingSink, sleep } from './helpers.js';

/** Batch b: 50 events, the first of type 0 (so every batch is written to the sink). */
function batchAt(b: number): EventBatch {
  const addresses = new Uint32Array(50);
  const types = new Uint8Array(50).fill(2);
  for (let i = 0; i < 50; i++) addresses[i] = (b * 50 + i) % 173;
  types[0] = 0;
  return { count: 50, addresses, types };
}

describe('backpressure', { timeout: 30_000 }, () => {
  it.each([
    [0, 3],
    [2, 1],
  ])(
    'workers %i, maxInFlightPerWorker %i: batches pulled but not written stay within maxInFlightPerWorker × (slots + 1) + 1',
    async (workers, maxInFlightPerWorker) => {
      const total = 40;
      let pulled = 0;
      let written = 0;
      let maxAhead = 0;
      const batches: EventBatch[] = [];
      function* source(): Generator<EventBatch> {
        for (let b = 0; b < total; b++) {
          pulled++;
          maxAhead = Math.max(maxAhead, pulled - written);
          const batch = batchAt(b);
          batches.push(batch);
          yield batch;
        }
      }
      const outputs: Output[] = [];
      const summary = await runJob({
        source: source(),
        operator: { module: fixture('counter'), config: {} },
        workers,
        partitions: 16,
        maxInFlightPerWorker,
        sink: {
          async write(chunk: number, columns: OutputColumns) {
            // Slow, and very slow at first: the source runs ahead as far as the runtime lets it.
            await sleep(written === 0 ? 100 : 2);
            for (let i = 0; i < columns.count; i++) {
              outputs.push([chunk, columns.positions[i]!, columns.keys[i]!, columns.codes[i]!]);
            }
            written++;
          },
        },
      });
      // The runtime lets the collector hold maxInFlightPerWorker × (slots + 1) chunks not yet written
      // (slots = workers, or 1 inline); the source is asked for the next one only below that, and
      // the batch just pulled waits, so at most one more is out of the source.
      const slots = Math.max(1, workers);
      const bound = maxInFlightPerWorker * (slots + 1) + 1;
      expect(maxAhead).toBeLessThanOrEqual(bound);
      expect(maxAhead).toBeGreaterThanOrEqual(bound - 1); // the slow sink really made the source wait
      expect(summary.events).toBe(total * 50);
      expect(written).toBe(total);
      expect(outputs).toEqual(counterReference(batches).outputs);
    },
  );

  it.each([0, 2])('a sink whose write rejects fails the job with SinkError (workers %i)', async (workers) => {
    let pulled = 0;
    function* source(): Generator<EventBatch> {
      for (let b = 0; b < 1000; b++) {
        pulled++;
        yield batchAt(b);
      }
    }
    const cause = new Error('disk full');
    let writes = 0;
    let closed = 0;
    const error = await runJob({
      source: source(),
      operator: { module: fixture('counter'), config: {} },
      workers,
      partitions: 16,
      sink: {
        async write() {
          if (++writes === 3) throw cause;
        },
        close() {
          closed++;
        },
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).code).toBe('SINK_FAILED');
    expect((error as SinkError).message).toBe('disk full');
    expect((error as SinkError).cause).toBe(cause);
    expect(writes).toBe(3); // nothing is written after the failed write
    expect(closed).toBe(0);
    expect(pulled).toBeLessThan(1000); // the job stopped reading the source
  });

  it('a sink that throws a SinkError fails the job with that very error', async () => {
    const own = new SinkError('cannot write out.txt: no space left');
    const error = await runJob({
      source: [batchAt(0), batchAt(1), batchAt(2)],
      operator: { module: fixture('counter'), config: {} },
      workers: 0,
      partitions: 4,
      sink: {
        write(chunk: number) {
          if (chunk === 1) throw own;
        },
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBe(own);
  });

  it('a recording sink sees no more than it was written (sanity of the helpers)', async () => {
    const sink = recordingSink();
    await runJob({
      source: [batchAt(0)],
      operator: { module: fixture('counter'), config: {} },
      sink,
      workers: 0,
    });
    expect(sink.outputs).toEqual(counterReference([batchAt(0)]).outputs);
  });
});
