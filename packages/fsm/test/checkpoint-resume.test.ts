import { join } from 'node:path';
import type { Checkpoint } from '@statecraft/engine';
import { compileMachine, generateChunks, generatorSource, SEED_MACHINE } from '@statecraft/fsm';
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
import { OperatorCluster } from './operator-cluster.js';

const machine = compileMachine(SEED_MACHINE);
const GENERATOR = { machine, events: 150_000, seed: 424242, errorRate: 0.02, splits: 7, chunkSize: 1_500 };
const PLAIN: JobSetup = { machine, source: generatorSource(GENERATOR) };
const WITH_TTL: JobSetup = { ...PLAIN, ttl: { unit: 'events', amount: 4_000 } };
const tempDir = tempDirs('checkpoint-resume');

/** Expiries in chunks [0, chunk) of the stream, counted on the calling thread. */
function expiriesBefore(setup: JobSetup, chunk: number): number {
  const cluster = new OperatorCluster(SEED_MACHINE, 1, 1, setup.ttl);
  cluster.run([...generateChunks({ ...GENERATOR, events: chunk * GENERATOR.chunkSize })], 0, chunk);
  return cluster.expiredKeys();
}

/** Resume layouts, three per stream: W 0..3, P 1, 16 and 128, S 1..3, each unlike the checkpointed run's. */
const RESUME_LAYOUTS: Layout[] = [
  { workers: 3, partitions: 16, sourceParallelism: 1 },
  { workers: 0, partitions: 1, sourceParallelism: 1 },
  { workers: 1, partitions: 128, sourceParallelism: 3 },
  { workers: 2, partitions: 128, sourceParallelism: 2 },
  { workers: 1, partitions: 1, sourceParallelism: 1 },
  { workers: 0, partitions: 128, sourceParallelism: 1 },
];

interface Baseline {
  reference: RunResult;
  checkpointed: RunResult;
  checkpoints: Checkpoint[];
}

async function baseline(setup: JobSetup, layout: Layout): Promise<Baseline> {
  const dir = tempDir();
  // The reference: inline, one key group, no checkpoints.
  const reference = await runAlertJob(setup, {
    workers: 0,
    partitions: 1,
    sourceParallelism: 1,
    output: join(dir, 'reference.csv'),
    paced: false,
  });
  const checkpointDir = join(dir, 'checkpoints');
  const checkpointed = await runAlertJob(setup, {
    ...layout,
    output: join(dir, 'checkpointed.csv'),
    checkpointDir,
    everyEvents: 6_000,
    checkpointsKeepUp: true,
  });
  return { reference, checkpointed, checkpoints: checkpointsIn(checkpointDir) };
}

describe.each([
  ['no TTL', PLAIN, { workers: 2, partitions: 128, sourceParallelism: 2 }],
  ['TTL 4000 events', WITH_TTL, { workers: 3, partitions: 16, sourceParallelism: 3 }],
])('resuming the generator job from its checkpoints (%s)', (_label, setup, layout) => {
  let base: Baseline;
  beforeAll(async () => {
    base = await baseline(setup, layout);
  });

  it('taking checkpoints changes nothing in the output; they are consistent and in chunk order', () => {
    const { reference, checkpointed, checkpoints } = base;
    expect(reference.summary.outputs).toBeGreaterThan(1000);
    if (setup.ttl !== undefined) expect(reference.summary.expiredKeys).toBeGreaterThan(1000);
    expectSameOutput(checkpointed.text, reference.text, 'checkpointed run');
    expect(checkpointed.summary).toMatchObject({
      events: GENERATOR.events,
      outputs: reference.summary.outputs,
      liveKeys: reference.summary.liveKeys,
      expiredKeys: reference.summary.expiredKeys,
      restarts: 0,
    });
    expect(checkpoints.length).toBe(checkpointed.summary.checkpoints.taken);
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    const chunks = checkpoints.map((c) => c.chunk);
    expect(chunks).toEqual([...chunks].sort((a, b) => a - b));
    expect(new Set(chunks).size).toBe(chunks.length);
    const lines = reference.text.split('\n');
    for (const checkpoint of checkpoints) {
      expect(checkpoint).toMatchObject({ ...layout, job: expect.any(String) });
      expect(checkpoint.chunk).toBeGreaterThan(0);
      expect(checkpoint.chunk).toBeLessThan(PLAIN.source.chunks);
      expect(checkpoint.firstEvent).toBe(checkpoint.chunk * GENERATOR.chunkSize);
      // The committed position ends a line: the header plus exactly `outputs` alerts.
      const committed = reference.text.slice(0, checkpoint.outputPosition);
      expect(committed).toBe(`${lines.slice(0, checkpoint.outputs + 1).join('\n')}\n`);
      // Every split that produced a chunk before the checkpoint has a state, and no other.
      expect(checkpoint.splits.map((s) => s.split)).toEqual(
        Array.from({ length: Math.min(GENERATOR.splits, checkpoint.chunk) }, (_, i) => i),
      );
      if (setup.ttl === undefined) expect(checkpoint.keyed.stamps).toBeUndefined();
      else expect(checkpoint.keyed.stamps).toHaveLength(checkpoint.keyed.keys.length);
    }
    // Expiries before each checkpoint's chunk, each counted once.
    expect(checkpoints.map((c) => [c.chunk, c.expiredKeys])).toEqual(
      checkpoints.map((c) => [c.chunk, expiriesBefore(setup, c.chunk)]),
    );
  });

  it('resumed with other W, P and S from checkpoints early to late: the uninterrupted output and totals', async () => {
    const { reference, checkpoints } = base;
    const chosen = spread(checkpoints, 3);
    for (const [i, checkpoint] of chosen.entries()) {
      const resumeLayout = RESUME_LAYOUTS[i + (setup.ttl === undefined ? 0 : 3)]!;
      const label = `from chunk ${checkpoint.chunk} with ${layoutName(resumeLayout)}`;
      const output = join(tempDir(), 'resumed.csv');
      writeCrashedOutput(output, reference.text, checkpoint);
      const resumed = await runAlertJob(setup, { ...resumeLayout, output, resumeFrom: checkpoint });
      expectSameOutput(resumed.text, reference.text, label);
      expect(resumed.summary, label).toMatchObject({
        events: GENERATOR.events,
        outputs: reference.summary.outputs,
        liveKeys: reference.summary.liveKeys,
        expiredKeys: reference.summary.expiredKeys,
        resumedFromChunk: checkpoint.chunk,
        restarts: 0,
        rejects: {},
      });
    }
  });
});
