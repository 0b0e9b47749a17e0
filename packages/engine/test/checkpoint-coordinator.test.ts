import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputColumns } from '../src/batch.js';
import type { JobStart } from '../src/checkpoint/checkpoint.js';
import { CheckpointStore } from '../src/checkpoint/checkpoint-store.js';
import { CheckpointCoordinator, MAX_CHECKPOINTS_QUEUED } from '../src/checkpoint/coordinator.js';
import type { OutputSink } from '../src/sinks/sink.js';
import { TextFileSink } from '../src/sinks/text-file-sink.js';
import { columns, freshDirs } from './helpers.js';

const freshDir = freshDirs('coordinator');

const format = (c: OutputColumns) => Array.from(c.keys, (key) => `${key}\n`).join('');
const EMPTY_STATE = { keys: new Uint32Array(0), values: new Uint32Array(0) };

/** A real file sink whose commits wait until the test lets them through. */
class HeldCommitSink implements OutputSink {
  private release: () => void = () => undefined;
  private held: Promise<void> = Promise.resolve();

  constructor(readonly file: TextFileSink) {}

  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  letThrough(): void {
    this.release();
  }

  write(chunk: number, output: OutputColumns): Promise<void> {
    return this.file.write(chunk, output);
  }

  position(): number {
    return this.file.position();
  }

  async commit(position: number): Promise<void> {
    await this.held;
    await this.file.commit(position);
  }

  rewind(position: number): Promise<void> {
    return this.file.rewind(position);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

async function setUp() {
  const dir = freshDir();
  const file = await TextFileSink.open(join(dir, 'out.txt'), { format });
  const sink = new HeldCommitSink(file);
  const store = new CheckpointStore(join(dir, 'checkpoints'));
  const coordinator = coordinatorOf(store, sink, undefined, 1);
  return { dir, sink, store, coordinator };
}

function coordinatorOf(
  store: CheckpointStore,
  sink: OutputSink,
  start: JobStart,
  everyEvents: number | undefined,
  everyMs?: number,
): CheckpointCoordinator {
  const layout = { workers: 1, partitions: 1, sourceParallelism: 1 };
  return new CheckpointCoordinator({ store, job: 'job', everyEvents, everyMs }, start, layout, sink);
}

/** Writes `chunk`'s output, then completes a checkpoint at chunk + 1 (one owner, one producer). */
async function checkpointAfter(
  coordinator: CheckpointCoordinator,
  sink: HeldCommitSink,
  chunk: number,
): Promise<void> {
  await sink.write(chunk, columns([0], [chunk], [1]));
  const now = { chunksWritten: chunk + 1, events: chunk + 1, outputs: chunk + 1 };
  coordinator.begin(chunk + 1, 1, 1, now);
  coordinator.ownerState(chunk + 1, EMPTY_STATE, 0);
  coordinator.producerState(chunk + 1, [], {});
}

describe('CheckpointCoordinator.restart', () => {
  it('returns the run start when no checkpoint was taken', async () => {
    const { coordinator } = await setUp();
    expect(await coordinator.restart()).toBeUndefined();
  });

  it('returns the newest durable checkpoint, including one whose write finishes during the restart', async () => {
    const { sink, store, coordinator } = await setUp();
    await checkpointAfter(coordinator, sink, 0);
    await coordinator.whenWritten();
    expect(coordinator.latest?.chunk).toBe(1);

    sink.hold();
    await checkpointAfter(coordinator, sink, 1);
    expect(coordinator.idle).toBe(false); // chunk 2's checkpoint is being written
    const restart = coordinator.restart();
    sink.letThrough();
    const start = await restart;

    // The checkpoint at chunk 2 is durable, and so are the bytes it covers: restarting from chunk 1
    // would rewind past them, and a second failure would then restart from chunk 2 over a cut file.
    expect(start?.chunk).toBe(2);
    expect(store.list()).toHaveLength(2);
    expect(readFileSync(sink.file.path, 'utf8')).toBe('0\n1\n');
    expect(start?.outputPosition).toBe(4);
    expect(coordinator.latest).toBe(start);
  });

  it('forgets a checkpoint that had not collected every report', async () => {
    const { sink, store, coordinator } = await setUp();
    await sink.write(0, columns([0], [0], [1]));
    coordinator.begin(1, 1, 1, { chunksWritten: 1, events: 1, outputs: 1 });
    coordinator.ownerState(1, EMPTY_STATE, 0); // the producer never reports: its thread died
    expect(await coordinator.restart()).toBeUndefined();
    coordinator.producerState(1, [], {}); // a late report of the failed attempt changes nothing
    await coordinator.whenWritten();
    expect(store.list()).toHaveLength(0);
    expect(coordinator.idle).toBe(true);
  });
});

describe('CheckpointCoordinator.isDue', () => {
  it('counts events from where the run resumed, not from the start of the stream', async () => {
    const { sink, store, coordinator } = await setUp();
    await checkpointAfter(coordinator, sink, 0);
    await coordinator.whenWritten();
    const resumedFrom = { ...coordinator.latest!, firstEvent: 50_000 };
    const resumed = coordinatorOf(store, sink, resumedFrom, 10_000);
    expect(resumed.isDue(50_001)).toBe(false);
    expect(resumed.isDue(59_999)).toBe(false);
    expect(resumed.isDue(60_000)).toBe(true);
  });
});

describe('CheckpointCoordinator.due', () => {
  it('is due at the first boundary at or past each multiple of the count, however far past', async () => {
    const { sink, store } = await setUp();
    const coordinator = coordinatorOf(store, sink, undefined, 10_000);
    expect(coordinator.due(9_999)).toBe('no');
    expect(coordinator.due(10_000)).toBe('now');
    // A boundary past two multiples at once: the next is due at the multiple after it.
    coordinator.begin(3, 1, 1, { chunksWritten: 0, events: 0, outputs: 0 }, 25_000);
    expect(coordinator.due(29_999)).toBe('no');
    expect(coordinator.due(30_000)).toBe('now');
  });

  it('waits for a write when complete checkpoints queue up; a time interval is then not due', async () => {
    const { dir, sink, store, coordinator } = await setUp();
    const byTime = coordinatorOf(new CheckpointStore(join(dir, 'by-time')), sink, undefined, undefined, 0);
    sink.hold();
    // Two checkpoints complete while the first write is held: neither is on disk yet.
    await checkpointAfter(coordinator, sink, 0);
    await checkpointAfter(coordinator, sink, 1);
    expect(MAX_CHECKPOINTS_QUEUED).toBe(2);
    expect(coordinator.due(1_000)).toBe('after-write');
    await checkpointAfter(byTime, sink, 2);
    await checkpointAfter(byTime, sink, 3);
    expect(byTime.due(1_000)).toBe('no');

    const room = coordinator.whenRoom();
    sink.letThrough();
    await room;
    expect(coordinator.due(1_000)).toBe('now');
    await coordinator.whenWritten();
    await byTime.whenWritten();
    // Written one after another, in chunk order.
    expect(coordinator.latest?.chunk).toBe(2);
    expect(store.list()).toHaveLength(2);
    expect(byTime.latest?.chunk).toBe(4);
  });
});
