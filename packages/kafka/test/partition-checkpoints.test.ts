import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStateCommand, type KeyedState, type OutputColumns, type SequentialItem } from '@statecraft/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodePartitionCheckpoint,
  encodePartitionCheckpoint,
} from '../src/checkpoint/partition-checkpoint.js';
import { PartitionCheckpointStore } from '../src/checkpoint/partition-checkpoint-store.js';
import { PartitionCheckpointer } from '../src/checkpoint/partition-checkpointer.js';
import type { TakeoverReport } from '../src/checkpoint/partition-takeover.js';
import { kafkaJobSink } from '../src/sinks/kafka-job-sink.js';
import { PartitionFilesSink } from '../src/sinks/partition-files-sink.js';
import { ChunkLedger } from '../src/source/chunk-ledger.js';
import { GroupMembership } from '../src/source/group-membership.js';
import { KafkaSource } from '../src/source/kafka-source.js';
import { ScriptedConsumer } from './scripted-consumer.js';

const JOB = 'test job';
const alertLines = {
  header: () => '',
  format(columns: OutputColumns): string {
    let out = '';
    for (let i = 0; i < columns.count; i++) out += `alert ${columns.keys[i]}\n`;
    return out;
  },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statecraft-partition-checkpoints-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A member of a group as the CLI builds it (source, per-partition files, checkpoints), driven by
 * the test through a scripted consumer, and an engine stand-in that counts events per address in
 * each scope, so that restored and dropped state is visible.
 */
async function member(
  name: string,
  options: { everyEvents: number; committed?: number[]; onTakeover?: (report: TakeoverReport) => void },
) {
  const consumer = new ScriptedConsumer(4);
  const membership = new GroupMembership();
  const ledger = new ChunkLedger();
  const outDir = join(dir, name, 'out');
  const files = new PartitionFilesSink(outDir, 'txt', alertLines, ledger, membership);
  const store = new PartitionCheckpointStore(join(dir, name, 'checkpoints'), JOB);
  const checkpoints = new PartitionCheckpointer({
    store,
    job: JOB,
    topic: 'events',
    interval: { everyEvents: options.everyEvents },
    membership,
    outputs: files,
    committedOffset: async (partition) => options.committed?.[partition] ?? -1,
    writer: `test ${name}`,
    ...(options.onTakeover === undefined ? {} : { onTakeover: options.onTakeover }),
  });
  const source = new KafkaSource({
    consumer,
    eventNames: ['a', 'b'],
    heartbeatIntervalMs: 20,
    commitIntervalMs: 0,
    maxQueuedChunks: 8,
    ledger,
    membership,
    checkpoints,
  });
  await source.start();
  const sink = kafkaJobSink([files], source);
  const iterator = source[Symbol.asyncIterator]();
  /** address → events, per scope: the engine's state. */
  const state = new Map<number, Map<number, number>>();
  let chunk = 0;
  const engine = {
    /** Takes the next item: applies a chunk (returning its index and addresses) or a command. */
    async next(): Promise<SequentialItem & { chunk?: number }> {
      const { value, done } = await iterator.next();
      if (done) throw new Error('the source ended');
      if (isStateCommand(value)) {
        if (value.command === 'restore') {
          state.set(
            value.scope,
            new Map(Array.from(value.state.keys, (k, i) => [k, value.state.values[i]!])),
          );
        }
        if (value.command === 'drop') state.delete(value.scope);
        return value;
      }
      const counts = state.get(value.scope ?? 0) ?? new Map<number, number>();
      state.set(value.scope ?? 0, counts);
      for (let i = 0; i < value.count; i++) {
        counts.set(value.addresses[i]!, (counts.get(value.addresses[i]!) ?? 0) + 1);
      }
      return { ...value, chunk: chunk++ };
    },
    snapshotOf(scope: number): KeyedState {
      const counts = [...(state.get(scope) ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
      return { keys: Uint32Array.from(counts, (c) => c[0]), values: Uint32Array.from(counts, (c) => c[1]) };
    },
    /** Writes a chunk's alerts (one per event, keyed by address) the way the job's sink does. */
    async write(index: number, addresses: readonly number[]): Promise<void> {
      await sink.write(index, {
        count: addresses.length,
        positions: Uint32Array.from(addresses, (_, i) => i),
        keys: Uint32Array.from(addresses),
        codes: new Uint32Array(addresses.length),
      });
      sink.chunkWritten?.(index);
    },
    state,
  };
  return { consumer, source, store, files, checkpoints, engine, outDir };
}

const fileOf = (outDir: string, partition: number) => join(outDir, `partition-${partition}.txt`);

describe('per-partition checkpoints', () => {
  it('commits an offset only once a checkpoint covering it is durable, with the file length of its alerts', async () => {
    const m = await member('commit', { everyEvents: 3 });
    m.consumer.listener.assigned([0]);
    await m.consumer.fetch(0, 0, 3);
    const chunk = await m.engine.next();
    expect(chunk.chunk).toBe(0);
    const barrier = await m.engine.next();
    expect(barrier).toMatchObject({ command: 'snapshot', scope: 0 });
    await m.engine.write(0, [1, 2, 3]);
    await m.source.drain().catch(() => undefined);
    // Written, but the checkpoint has no state yet: nothing is committed, no checkpoint exists.
    expect(m.consumer.commits).toEqual([]);
    await expect(stat(m.store.path(0))).rejects.toMatchObject({ code: 'ENOENT' });

    (barrier as Extract<SequentialItem, { command: 'snapshot' }>).done(m.engine.snapshotOf(0));
    await m.checkpoints.drain();
    await m.source.drain();
    const checkpoint = decodePartitionCheckpoint(await readFile(m.store.path(0)));
    expect(checkpoint).toMatchObject({
      partition: 0,
      offset: 3,
      events: 3,
      alerts: 3,
      writer: 'test commit',
    });
    expect(checkpoint.outputPosition).toBe((await stat(fileOf(m.outDir, 0))).size);
    expect([...checkpoint.keyed.keys]).toEqual([0, 1, 2]);
    expect(m.consumer.commits).toEqual([[{ partition: 0, offset: 3 }]]);
  });

  it('a member taking a partition over restores its state, reads on from its offset and cuts its file back', async () => {
    const first = await member('takeover', { everyEvents: 4 });
    first.consumer.listener.assigned([2]);
    await first.consumer.fetch(2, 0, 4);
    await first.engine.next();
    const barrier = (await first.engine.next()) as Extract<SequentialItem, { command: 'snapshot' }>;
    await first.engine.write(0, [10, 11, 12, 13]);
    barrier.done(first.engine.snapshotOf(2));
    await first.checkpoints.drain();
    const checkpointed = (await stat(fileOf(first.outDir, 2))).size;
    // Two more records are read and their alerts appended, but no checkpoint covers them: then the process dies.
    await first.consumer.fetch(2, 4, 2);
    await first.engine.next();
    await first.engine.write(1, [14, 15]);
    expect((await stat(fileOf(first.outDir, 2))).size).toBeGreaterThan(checkpointed);

    // The successor shares the directories (a second member built on the first one's paths).
    const second = await member('takeover', { everyEvents: 100, committed: [-1, -1, 2, -1] });
    second.consumer.listener.assigned([2]);
    const restore = await second.engine.next();
    expect(restore).toMatchObject({ command: 'restore', scope: 2 });
    expect([...second.engine.state.get(2)!]).toEqual(
      [...first.engine.state.get(2)!].slice(0, 4).map(([k]) => [k, 1]),
    );
    expect(second.consumer.seeks).toEqual([{ partition: 2, offset: 4 }]);
    expect((await stat(fileOf(second.outDir, 2))).size).toBe(checkpointed);
    await second.source.drain();
    expect(second.consumer.commits).toEqual([[{ partition: 2, offset: 4 }]]);
    // The client fetches from the group's committed offset (2): records before the checkpoint are skipped.
    await second.consumer.fetch(2, 2, 4);
    const chunk = await second.engine.next();
    expect(second.source.ledger.get(chunk.chunk!).offsets.subarray(0, 2)).toEqual(Float64Array.from([4, 5]));
  });

  it('a partition without a checkpoint starts with an empty file unless the group has an offset for it', async () => {
    const m = await member('fresh', { everyEvents: 100, committed: [-1, 7] });
    await m.files.open();
    await writeFile(fileOf(m.outDir, 0), 'alert of a process that died before its first checkpoint\n');
    await writeFile(fileOf(m.outDir, 1), 'alert of an earlier run without checkpoints\n');
    m.consumer.listener.assigned([0, 1]);
    await m.consumer.fetch(0, 0, 1);
    await m.consumer.fetch(1, 7, 1);
    expect(await readFile(fileOf(m.outDir, 0), 'utf8')).toBe('');
    expect(await readFile(fileOf(m.outDir, 1), 'utf8')).toBe('alert of an earlier run without checkpoints\n');
  });

  it('drops a revoked partition: its state goes, its in-flight alerts are not written, its checkpoint is not taken', async () => {
    const m = await member('revoke', { everyEvents: 2 });
    m.consumer.listener.assigned([0, 1]);
    await m.consumer.fetch(1, 0, 2);
    await m.engine.next();
    const barrier = (await m.engine.next()) as Extract<SequentialItem, { command: 'snapshot' }>;
    expect(barrier.scope).toBe(1);

    // A rebalance begins: writes wait until the member knows whether it keeps the partition.
    m.consumer.listener.rebalancing();
    let written = false;
    const writing = m.engine.write(0, [100, 101]).then(() => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(written).toBe(false);
    m.consumer.listener.assigned([0]);
    await writing;
    expect(await readFile(fileOf(m.outDir, 1), 'utf8')).toBe('');
    expect(await m.engine.next()).toEqual({ command: 'drop', scope: 1 });
    expect(m.engine.state.has(1)).toBe(false);

    barrier.done({ keys: new Uint32Array(0), values: new Uint32Array(0) });
    await m.checkpoints.drain();
    await m.source.drain();
    await expect(stat(m.store.path(1))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(m.consumer.commits.flat()).not.toContainEqual(expect.objectContaining({ partition: 1 }));
  });

  it('a member expelled from the group and given its partition back takes it over again from the newer checkpoint', async () => {
    type Snapshot = Extract<SequentialItem, { command: 'snapshot' }>;
    const a = await member('expelled', { everyEvents: 4 });
    a.consumer.listener.assigned([0], 'member-1');
    await a.consumer.fetch(0, 0, 4);
    await a.engine.next();
    const first = (await a.engine.next()) as Snapshot;
    await a.engine.write(0, [0, 1, 2, 3]);
    first.done(a.engine.snapshotOf(0));
    await a.checkpoints.drain();

    // A stalls past the session timeout: the group gives partition 0 to B (same directories),
    // which reads offsets 4..7 and checkpoints them.
    const b = await member('expelled', { everyEvents: 4, committed: [4] });
    b.consumer.listener.assigned([0]);
    expect(await b.engine.next()).toMatchObject({ command: 'restore', scope: 0 });
    await b.consumer.fetch(0, 4, 4);
    const bChunk = await b.engine.next();
    const second = (await b.engine.next()) as Snapshot;
    await b.engine.write(bChunk.chunk!, [4, 5, 6, 7]);
    second.done(b.engine.snapshotOf(0));
    await b.checkpoints.drain();

    // B leaves. A's next heartbeat gets UNKNOWN_MEMBER_ID: kafkajs rejoins at once (no
    // REBALANCING event), under a new member id, and A is assigned partition 0 again; it fetches
    // from the group's offset 8.
    a.consumer.listener.assigned([0], 'member-2');
    await a.consumer.fetch(0, 8, 4);
    let item = await a.engine.next();
    while (item.chunk === undefined) item = await a.engine.next();
    const third = (await a.engine.next()) as Snapshot;
    await a.engine.write(item.chunk, [8, 9, 10, 11]);
    third.done(a.engine.snapshotOf(0));
    await a.checkpoints.drain();

    const expected = Array.from({ length: 12 }, (_, i) => `alert ${i}\n`).join('');
    expect(await readFile(fileOf(a.outDir, 0), 'utf8')).toBe(expected);
    const checkpoint = decodePartitionCheckpoint(await readFile(a.store.path(0)));
    expect(checkpoint.offset).toBe(12);
    expect(checkpoint.outputPosition).toBe(Buffer.byteLength(expected));
    // Each of the partition's 4 addresses saw 3 of the 12 events (B's 4..7 included).
    expect([...checkpoint.keyed.values]).toEqual([3, 3, 3, 3]);
  });

  it('falls back to the previous checkpoint when the newest claims more of the file than it holds', async () => {
    type Snapshot = Extract<SequentialItem, { command: 'snapshot' }>;
    const a = await member('fallback', { everyEvents: 2 });
    a.consumer.listener.assigned([1]);
    const positions: number[] = [];
    for (const first of [0, 2]) {
      await a.consumer.fetch(1, first, 2);
      const chunk = await a.engine.next();
      const barrier = (await a.engine.next()) as Snapshot;
      await a.engine.write(chunk.chunk!, [first, first + 1]);
      barrier.done(a.engine.snapshotOf(1));
      await a.checkpoints.drain();
      positions.push((await stat(fileOf(a.outDir, 1))).size);
    }
    // The newest checkpoint landed after a successor cut the file back to the previous one (a
    // revoked member's last write, racing the takeover), and the successor died.
    await truncate(fileOf(a.outDir, 1), positions[0]! + 3);

    const reports: TakeoverReport[] = [];
    const b = await member('fallback', {
      everyEvents: 100,
      committed: [-1, 4],
      onTakeover: (report) => reports.push(report),
    });
    b.consumer.listener.assigned([1]);
    expect(await b.engine.next()).toMatchObject({ command: 'restore', scope: 1 });
    expect(b.consumer.seeks).toEqual([{ partition: 1, offset: 2 }]);
    expect(reports).toMatchObject([
      { partition: 1, fellBack: true, file: { from: positions[0]! + 3, to: positions[0] } },
    ]);
    expect(await readFile(fileOf(b.outDir, 1), 'utf8')).toBe('alert 0\nalert 1\n');
  });

  it('passes over a damaged newest checkpoint for the previous one, and says so', async () => {
    type Snapshot = Extract<SequentialItem, { command: 'snapshot' }>;
    const a = await member('damaged-newest', { everyEvents: 2 });
    a.consumer.listener.assigned([0]);
    for (const first of [0, 2]) {
      await a.consumer.fetch(0, first, 2);
      const chunk = await a.engine.next();
      const barrier = (await a.engine.next()) as Snapshot;
      await a.engine.write(chunk.chunk!, [first, first + 1]);
      barrier.done(a.engine.snapshotOf(0));
      await a.checkpoints.drain();
    }
    await writeFile(a.store.path(0), 'a disk error, say');
    const reports: TakeoverReport[] = [];
    const b = await member('damaged-newest', {
      everyEvents: 100,
      onTakeover: (report) => reports.push(report),
    });
    b.consumer.listener.assigned([0]);
    expect(await b.engine.next()).toMatchObject({ command: 'restore', scope: 0 });
    expect(b.consumer.seeks).toEqual([{ partition: 0, offset: 2 }]);
    expect(reports[0]!.unusable).toEqual([
      { path: a.store.path(0), reason: `${a.store.path(0)} is unusable (truncated (17 bytes))` },
    ]);
    expect(await readFile(fileOf(b.outDir, 0), 'utf8')).toBe('alert 0\nalert 1\n');
  });

  it('a takeover whose partition is revoked before it is done leaves the file alone', async () => {
    const m = await member('revoked-takeover', { everyEvents: 100 });
    await m.files.open();
    await writeFile(fileOf(m.outDir, 2), 'alert of the partition now read elsewhere\n');
    m.consumer.listener.assigned([2], 'member-1');
    m.consumer.listener.rebalancing();
    m.consumer.listener.assigned([], 'member-1');
    // The takeover was revoked (synchronously) before its first read of the checkpoints finished.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readFile(fileOf(m.outDir, 2), 'utf8')).toBe('alert of the partition now read elsewhere\n');
  });

  it('a commit the group refuses holds writes until the member knows its assignment again', async () => {
    const m = await member('stale', { everyEvents: 2 });
    m.consumer.listener.assigned([0], 'member-1');
    await m.consumer.fetch(0, 0, 2);
    const chunk = await m.engine.next();
    const barrier = (await m.engine.next()) as Extract<SequentialItem, { command: 'snapshot' }>;
    await m.engine.write(chunk.chunk!, [0, 1]);
    m.consumer.accepting = false; // the group has moved on (a rebalance this member has not seen yet)
    barrier.done(m.engine.snapshotOf(0));
    await m.checkpoints.drain();
    await m.source.drain();
    await m.consumer.fetch(0, 2, 2);
    const next = await m.engine.next();
    let written = false;
    const writing = m.engine.write(next.chunk!, [2, 3]).then(() => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(written).toBe(false);
    m.consumer.accepting = true;
    m.consumer.listener.assigned([0], 'member-1');
    await writing;
    expect(await readFile(fileOf(m.outDir, 0), 'utf8')).toBe('alert 0\nalert 1\nalert 2\nalert 3\n');
  });

  it('refuses, in one line naming the file, a damaged checkpoint and one of another job', async () => {
    const m = await member('damaged', { everyEvents: 100 });
    await writeFile(m.store.path(3), 'not a Statecraft checkpoint, but longer than a header');
    m.consumer.listener.assigned([3]);
    const taken = m.engine.next();
    await m.consumer.fetch(3, 0, 1);
    await expect(taken).rejects.toThrow(
      new RegExp(
        `^${m.store.path(3)} is unusable \\(not a Statecraft checkpoint\\): the partition's state is lost; remove the file`,
      ),
    );

    const other = encodePartitionCheckpoint({
      job: 'another job',
      topic: 'events',
      partition: 1,
      offset: 1,
      events: 1,
      alerts: 0,
      outputPosition: 0,
      createdAt: new Date().toISOString(),
      writer: 'elsewhere',
      keyed: { keys: new Uint32Array(0), values: new Uint32Array(0) },
    });
    await writeFile(m.store.path(1), other);
    await expect(m.store.load(1)).rejects.toMatchObject({
      code: 'CHECKPOINT_MISMATCH',
      message: expect.stringContaining('is a checkpoint of another job (another job, partition 1)'),
    });
  });

  it('a checkpoint round-trips through its encoding, and a flipped byte is caught', () => {
    const checkpoint = {
      job: JOB,
      topic: 'events',
      partition: 5,
      offset: 123_456_789_012,
      events: 99,
      alerts: 7,
      outputPosition: 4096,
      createdAt: '2026-12-04T00:00:00.000Z',
      writer: 'host pid 1',
      keyed: { keys: Uint32Array.from([1, 2, 3]), values: Uint32Array.from([4, 5, 6]), stamps: undefined },
    };
    const bytes = encodePartitionCheckpoint(checkpoint);
    expect(decodePartitionCheckpoint(bytes)).toEqual(checkpoint);
    bytes[bytes.length - 3]! ^= 1;
    expect(() => decodePartitionCheckpoint(bytes)).toThrow('checksum mismatch');
  });
});
