import { describe, expect, it } from 'vitest';
import type { EventBatch, OutputColumns } from '../src/batch.js';
import { runJob } from '../src/runtime/job.js';
import { counterReference, fixture, type Output, randomEvents, recordingSink, toBatches } from './helpers.js';

const batches = toBatches(randomEvents(21, 40_000, 300), 200);

/** The source, counting what was pulled and whether the job let go of it (return() called). */
function trackedSource(onPull: (index: number) => void = () => {}) {
  const state = { pulled: 0, released: false };
  async function* generate(): AsyncGenerator<EventBatch> {
    try {
      for (let b = 0; b < batches.length; b++) {
        state.pulled++;
        onPull(b);
        await new Promise((resolve) => setImmediate(resolve));
        yield batches[b]!;
      }
    } finally {
      state.released = true;
    }
  }
  return { state, source: generate() };
}

/** Checks that the outputs are exactly the reference's for the first `events` events. */
function expectOutputsOfPrefix(outputs: readonly Output[], events: number): void {
  expect(events % 200).toBe(0); // whole batches only
  const processed = batches.slice(0, events / 200);
  expect(outputs).toEqual(counterReference(processed).outputs);
}

describe('abort', { timeout: 30_000 }, () => {
  it.each([0, 2])(
    'stops mid-run when aborted from the sink; every processed event’s outputs are written, in order (workers %i)',
    async (workers) => {
      const controller = new AbortController();
      const outputs: Output[] = [];
      const { state, source } = trackedSource();
      const summary = await runJob({
        source,
        operator: { module: fixture('counter'), config: {} },
        workers,
        partitions: 16,
        signal: controller.signal,
        sink: {
          write(chunk: number, columns: OutputColumns) {
            for (let i = 0; i < columns.count; i++) {
              outputs.push([chunk, columns.positions[i]!, columns.keys[i]!, columns.codes[i]!]);
            }
            if (chunk === 20) controller.abort();
          },
        },
      });
      expect(summary.interrupted).toBe(true);
      expect(summary.events).toBeGreaterThanOrEqual(21 * 200);
      expect(summary.events).toBeLessThan(batches.length * 200);
      expect(summary.chunks).toBe(summary.events / 200);
      expect(summary.outputs).toBe(outputs.length);
      expectOutputsOfPrefix(outputs, summary.events);
      expect(state.pulled).toBeLessThan(batches.length);
      expect(state.released).toBe(true);
    },
  );

  it('stops when aborted from the source, after the batches already taken', async () => {
    const controller = new AbortController();
    const { state, source } = trackedSource((b) => {
      if (b === 10) controller.abort();
    });
    const sink = recordingSink();
    const summary = await runJob({
      source,
      operator: { module: fixture('counter'), config: {} },
      workers: 1,
      partitions: 16,
      signal: controller.signal,
      sink,
    });
    // Batch 10 was pulled as the signal fired: the job checks the signal before using a batch.
    expect(summary).toMatchObject({ interrupted: true, events: 10 * 200, chunks: 10 });
    expectOutputsOfPrefix(sink.outputs, summary.events);
    expect(sink.closed).toBe(1);
    expect(state.released).toBe(true);
  });

  it('processes nothing when the signal is already aborted', async () => {
    const { state, source } = trackedSource();
    const sink = recordingSink();
    const summary = await runJob({
      source,
      operator: { module: fixture('counter'), config: {} },
      workers: 0,
      signal: AbortSignal.abort(),
      sink,
    });
    expect(summary).toMatchObject({ interrupted: true, events: 0, outputs: 0, chunks: 0 });
    expect(sink.outputs).toEqual([]);
    expect(state.pulled).toBeLessThanOrEqual(1);
    expect(state.released).toBe(true);
  });

  it('a signal that is never aborted changes nothing', async () => {
    const sink = recordingSink();
    const summary = await runJob({
      source: batches.slice(0, 20),
      operator: { module: fixture('counter'), config: {} },
      workers: 0,
      signal: new AbortController().signal,
      sink,
    });
    expect(summary).toMatchObject({ interrupted: false, events: 20 * 200 });
    expect(sink.outputs).toEqual(counterReference(batches.slice(0, 20)).outputs);
  });
});
