import { join } from 'node:path';
import {
  type OutputColumns,
  type OutputSink,
  runJob,
  StatecraftError,
  WorkerFailedError,
} from '@statecraft/engine';
import {
  compileMachine,
  createAlertFormatter,
  generatorSource,
  SEED_MACHINE,
  stateMachineOperator,
} from '@statecraft/fsm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointsIn,
  expectSameOutput,
  type JobSetup,
  type RunResult,
  runAlertJob,
  tempDirs,
  writeCrashedOutput,
} from './checkpoint-support.js';

const machine = compileMachine(SEED_MACHINE);
const GENERATOR = { machine, events: 120_000, seed: 777, errorRate: 0.02, splits: 5, chunkSize: 1_500 };
const SETUP: JobSetup = {
  machine,
  source: generatorSource(GENERATOR),
  ttl: { unit: 'events', amount: 5_000 },
};
const LAYOUT = { workers: 2, partitions: 128, sourceParallelism: 2 };
const tempDir = tempDirs('worker-restart');
/** Thread 1 dies after 30,000 events, with checkpoints every 6,000. */
const ONE_DEATH = {
  ...LAYOUT,
  everyEvents: 6_000,
  maxRestarts: 3,
  injectWorkerDeaths: [[1, 30_000]] as [number, number][],
  // A checkpoint is surely durable before the death, however slow the machine's I/O.
  checkpointsKeepUp: true,
};

let reference: RunResult;
beforeAll(async () => {
  reference = await runAlertJob(SETUP, {
    workers: 0,
    partitions: 1,
    sourceParallelism: 1,
    output: join(tempDir(), 'reference.csv'),
    paced: false,
  });
  expect(reference.summary.outputs).toBeGreaterThan(1000);
  expect(reference.summary.expiredKeys).toBeGreaterThan(1000);
});

function expectReferenceRun(run: RunResult, restarts: number, label: string): void {
  expectSameOutput(run.text, reference.text, label);
  expect(run.summary, label).toMatchObject({
    events: GENERATOR.events,
    outputs: reference.summary.outputs,
    liveKeys: reference.summary.liveKeys,
    expiredKeys: reference.summary.expiredKeys,
    restarts,
  });
  expect(run.restarts.map((r) => r.restart)).toEqual(Array.from({ length: restarts }, (_, i) => i + 1));
}

describe('a worker thread that dies restarts the job from its last checkpoint', () => {
  it('one death (thread 1 after 30,000 events): the uninterrupted output, 1 restart', async () => {
    const dir = tempDir();
    const checkpointDir = join(dir, 'checkpoints');
    const run = await runAlertJob(SETUP, { ...ONE_DEATH, output: join(dir, 'alerts.csv'), checkpointDir });
    expectReferenceRun(run, 1, 'one death');
    // It restarted from a checkpoint taken before the death, not from the beginning.
    const chunks = checkpointsIn(checkpointDir).map((c) => c.chunk);
    expect(chunks).toContain(run.restarts[0]!.fromChunk);
    expect(run.restarts[0]!.fromChunk).toBeGreaterThan(0);
  });

  it('an interrupt during the restart backoff ends the job then, the output rewound to its checkpoint', async () => {
    const dir = tempDir();
    const checkpointDir = join(dir, 'checkpoints');
    const controller = new AbortController();
    const backoffMs = 10_000;
    let interruptedAt = 0;
    const run = await runAlertJob(SETUP, {
      ...ONE_DEATH,
      output: join(dir, 'alerts.csv'),
      checkpointDir,
      restartBackoffMs: backoffMs,
      signal: controller.signal,
      onRestart: () => {
        interruptedAt = performance.now();
        controller.abort();
      },
    });
    // Not a speed check: an interrupt that waited for the backoff to run out would take all of it.
    expect(performance.now() - interruptedAt).toBeLessThan(backoffMs);
    expect(run.summary).toMatchObject({ interrupted: true, restarts: 1 });
    const restartedFrom = checkpointsIn(checkpointDir).find((c) => c.chunk === run.restarts[0]!.fromChunk);
    expect(restartedFrom?.chunk).toBeGreaterThan(0);
    expect(run.text).toBe(Buffer.from(reference.text).subarray(0, restartedFrom!.outputPosition).toString());
    expect(run.summary.events).toBe(restartedFrom!.firstEvent);
  });

  it('two deaths in two attempts (thread 1, then thread 0): the uninterrupted output, 2 restarts', async () => {
    const dir = tempDir();
    const run = await runAlertJob(SETUP, {
      ...LAYOUT,
      output: join(dir, 'alerts.csv'),
      checkpointDir: join(dir, 'checkpoints'),
      everyEvents: 6_000,
      maxRestarts: 3,
      injectWorkerDeaths: [
        [1, 20_000],
        [0, 15_000],
      ],
    });
    expectReferenceRun(run, 2, 'two deaths');
    // The second attempt started at or after the first one's checkpoint.
    expect(run.restarts[1]!.fromChunk).toBeGreaterThanOrEqual(run.restarts[0]!.fromChunk);
  });

  it('a death before the first checkpoint: starts again from chunk 0 and rewinds the file to nothing', async () => {
    const dir = tempDir();
    const run = await runAlertJob(SETUP, {
      ...LAYOUT,
      output: join(dir, 'alerts.csv'),
      checkpointDir: join(dir, 'checkpoints'),
      everyEvents: 1_000_000,
      maxRestarts: 1,
      injectWorkerDeaths: [[0, 20_000]],
    });
    expectReferenceRun(run, 1, 'death before any checkpoint');
    expect(run.restarts[0]!.fromChunk).toBe(0);
  });

  it('a death in a resumed run: restarts from the checkpoint it resumed from, not from the beginning', async () => {
    const dir = tempDir();
    const checkpointDir = join(dir, 'checkpoints');
    await runAlertJob(SETUP, {
      workers: 1,
      partitions: 16,
      sourceParallelism: 1,
      output: join(dir, 'first.csv'),
      checkpointDir,
      everyEvents: 6_000,
      checkpointsKeepUp: true,
    });
    const [checkpoint] = checkpointsIn(checkpointDir);
    const output = join(dir, 'resumed.csv');
    writeCrashedOutput(output, reference.text, checkpoint!);
    // No checkpoints in the resumed run: the restart can only go back to where it resumed.
    const run = await runAlertJob(SETUP, {
      ...LAYOUT,
      output,
      resumeFrom: checkpoint!,
      maxRestarts: 1,
      injectWorkerDeaths: [[0, 8_000]],
    });
    expectReferenceRun(run, 1, 'death after resuming');
    expect(run.restarts[0]!.fromChunk).toBe(checkpoint!.chunk);
  });

  it('more deaths than maxRestarts: rejects with WorkerFailedError saying after how many restarts', async () => {
    const dir = tempDir();
    const run = runAlertJob(SETUP, {
      ...LAYOUT,
      output: join(dir, 'alerts.csv'),
      checkpointDir: join(dir, 'checkpoints'),
      everyEvents: 6_000,
      maxRestarts: 2,
      injectWorkerDeaths: [
        [1, 10_000],
        [0, 10_000],
        [1, 10_000],
      ],
    });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect(error).toBeInstanceOf(StatecraftError);
    expect((error as WorkerFailedError).message).toMatch(/^worker 1 failed: .* \(after 2 restarts\)$/);
    expect((error as WorkerFailedError).message).not.toContain('\n');
  });

  it('maxRestarts 0 (the default): the first death fails the job, without "after ... restarts"', async () => {
    const dir = tempDir();
    const error = await runAlertJob(SETUP, {
      ...LAYOUT,
      output: join(dir, 'alerts.csv'),
      checkpointDir: join(dir, 'checkpoints'),
      everyEvents: 6_000,
      injectWorkerDeaths: [[1, 10_000]],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerFailedError);
    expect((error as Error).message).toMatch(/^worker 1 failed: /);
    expect((error as Error).message).not.toMatch(/restart/);
  });
});

/**
 * An in-memory sink with position and rewind whose first write is slow: it finishes when the job
 * rewinds the sink, or after a second. A worker dies while that write is in progress (the owners
 * apply granted chunks whatever the sink does), so a job that rewinds without waiting for the
 * write lets the failed attempt's remaining outputs land after the rewind.
 */
function slowFirstWriteSink(format: (columns: OutputColumns) => string) {
  let text = '';
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, 1_000);
  });
  let writes = 0;
  const sink: OutputSink & { readonly text: string } = {
    get text() {
      return text;
    },
    async write(_chunk, columns) {
      text += format(columns);
      if (writes++ === 0) await released;
    },
    position: () => Buffer.byteLength(text),
    commit: async () => undefined,
    async rewind(position) {
      text = Buffer.from(text).subarray(0, position).toString();
      release();
    },
  };
  return sink;
}

describe('a restart while the sink is still writing', () => {
  it('outputs of the failed attempt are not written after the rewind', async () => {
    const formatter = createAlertFormatter(machine, 'csv');
    const sink = slowFirstWriteSink((columns) => formatter.format(columns));
    const summary = await runJob({
      source: SETUP.source,
      operator: stateMachineOperator(machine, { ttl: SETUP.ttl }),
      sink,
      ...LAYOUT,
      maxRestarts: 1,
      restartBackoffMs: 1,
      // Thread 1 dies a few chunks in, while the sink is still in its first write.
      injectWorkerDeaths: [[1, 3_000]],
    });
    expect(summary.restarts).toBe(1);
    expectSameOutput(sink.text, reference.text.slice(formatter.header().length), 'after the restart');
  });
});
