import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CSV_EVENTS_HEADER,
  type EventBatch,
  fileSource,
  formatCsvEvents,
  type RejectReason,
} from '@statecraft/engine';
import { compileMachine, generateChunks, SEED_MACHINE } from '@statecraft/fsm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointsIn,
  expectSameOutput,
  type JobSetup,
  type Layout,
  layoutName,
  type RunResult,
  runAlertJob,
  spread,
  tempDirs,
  writeCrashedOutput,
} from './checkpoint-support.js';

const machine = compileMachine(SEED_MACHINE);
const tempDir = tempDirs('checkpoint-file-source');
/** Small chunks: the 1.4 MB file is about 90 of them, each holding addresses of all the others. */
const CHUNK_BYTES = 16 * 1024;
const BAD_EVERY = 997;
const BAD_RECORDS: [string, RejectReason][] = [
  ['1.2.3,a', 'bad-address'],
  ['10.0.0.1,zz', 'unknown-event'],
  ['hello', 'column-count'],
];

/**
 * A CSV of the generator's events over 3000 addresses (one split, so every part of the file has
 * the same addresses), with a bad record every BAD_EVERY lines; returns the reject counts.
 */
function writeInput(path: string): Partial<Record<RejectReason, number>> {
  const chunks: EventBatch[] = [
    ...generateChunks({
      machine,
      events: 100_000,
      seed: 2024,
      errorRate: 0.02,
      splits: 1,
      chunkSize: 1_000,
      addressRange: [167_772_160, 167_775_160],
    }),
  ];
  const lines = chunks.flatMap((batch) =>
    formatCsvEvents(batch, machine.eventNames).split('\n').slice(0, -1),
  );
  const rejects: Partial<Record<RejectReason, number>> = {};
  const withBad: string[] = [];
  lines.forEach((line, i) => {
    if (i % BAD_EVERY === BAD_EVERY - 1) {
      const [text, reason] = BAD_RECORDS[i % BAD_RECORDS.length]!;
      withBad.push(text);
      rejects[reason] = (rejects[reason] ?? 0) + 1;
    }
    withBad.push(line);
  });
  writeFileSync(path, `${CSV_EVENTS_HEADER}${withBad.join('\n')}\n`);
  return rejects;
}

let setup: JobSetup;
let rejects: Partial<Record<RejectReason, number>>;
let reference: RunResult;

beforeAll(async () => {
  const input = join(tempDir(), 'events.csv');
  rejects = writeInput(input);
  setup = { machine, source: fileSource(input, { eventNames: machine.eventNames, chunkBytes: CHUNK_BYTES }) };
  reference = await runAlertJob(setup, {
    workers: 0,
    partitions: 1,
    sourceParallelism: 1,
    output: join(tempDir(), 'reference.csv'),
    paced: false,
  });
});

describe('a CSV file source in small chunks, checkpointed and resumed', () => {
  it('the file: many chunks, alerts, and rejected records of three reasons', () => {
    expect(setup.source.chunks).toBeGreaterThan(60);
    expect(reference.summary.outputs).toBeGreaterThan(1000);
    expect(reference.summary.events).toBe(100_000);
    expect(reference.summary.rejects).toEqual(rejects);
    expect(Object.keys(rejects)).toHaveLength(3);
  });

  it('resumed from checkpoints with other W, P and S: the same output, events, alerts and rejects', async () => {
    const dir = tempDir();
    const checkpointDir = join(dir, 'checkpoints');
    const checkpointed = await runAlertJob(setup, {
      workers: 2,
      partitions: 128,
      sourceParallelism: 2,
      output: join(dir, 'checkpointed.csv'),
      checkpointDir,
      everyEvents: 5_000,
      checkpointsKeepUp: true,
    });
    expectSameOutput(checkpointed.text, reference.text, 'checkpointed');
    expect(checkpointed.summary.rejects).toEqual(rejects);
    const checkpoints = checkpointsIn(checkpointDir);
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    // A file's chunks depend on their index only: its producers keep no split state.
    for (const checkpoint of checkpoints) expect(checkpoint.splits).toEqual([]);

    const layouts: Layout[] = [
      { workers: 0, partitions: 16, sourceParallelism: 1 },
      { workers: 3, partitions: 1 << 10, sourceParallelism: 2 },
      { workers: 1, partitions: 1, sourceParallelism: 3 },
    ];
    for (const [i, checkpoint] of spread(checkpoints, 3).entries()) {
      const layout = layouts[i]!;
      const label = `from chunk ${checkpoint.chunk} with ${layoutName(layout)}`;
      const output = join(dir, `resumed-${i}.csv`);
      writeCrashedOutput(output, reference.text, checkpoint);
      const resumed = await runAlertJob(setup, { ...layout, output, resumeFrom: checkpoint });
      expectSameOutput(resumed.text, reference.text, label);
      expect(resumed.summary, label).toMatchObject({
        events: 100_000,
        outputs: reference.summary.outputs,
        liveKeys: reference.summary.liveKeys,
        rejects,
        resumedFromChunk: checkpoint.chunk,
      });
    }
  });

  it('two worker deaths: the same output and rejects, 2 restarts', async () => {
    const dir = tempDir();
    const run = await runAlertJob(setup, {
      workers: 2,
      partitions: 16,
      sourceParallelism: 3,
      output: join(dir, 'alerts.csv'),
      checkpointDir: join(dir, 'checkpoints'),
      everyEvents: 5_000,
      maxRestarts: 3,
      injectWorkerDeaths: [
        [0, 25_000],
        [1, 10_000],
      ],
    });
    expectSameOutput(run.text, reference.text, 'two deaths');
    expect(run.summary).toMatchObject({
      events: 100_000,
      outputs: reference.summary.outputs,
      liveKeys: reference.summary.liveKeys,
      rejects,
      restarts: 2,
    });
  });
});
