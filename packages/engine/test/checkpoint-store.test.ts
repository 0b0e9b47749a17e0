import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointMismatchError, CheckpointWriteError } from '../src/checkpoint/checkpoint-errors.js';
import { CheckpointStore, DEFAULT_RETAINED_CHECKPOINTS } from '../src/checkpoint/checkpoint-store.js';
import { StatecraftError } from '../src/errors.js';
import { checkpointAt } from './fixtures/checkpoint-samples.js';
import { freshDirs } from './helpers.js';

const JOB = 'generator {"seed":1}, machine seed';
const freshDir = freshDirs('checkpoint-store');

const fileName = (sequence: number) => `checkpoint-${String(sequence).padStart(10, '0')}.ckpt`;

async function storeWith(chunks: readonly number[], retain = 100): Promise<CheckpointStore> {
  const store = new CheckpointStore(freshDir(), retain);
  for (const chunk of chunks) await store.write(checkpointAt(JOB, chunk));
  return store;
}

describe('CheckpointStore', () => {
  it('numbers checkpoint files in write order and lists them newest first', async () => {
    const store = await storeWith([4, 9, 13]);
    expect(readdirSync(store.directory).sort()).toEqual([fileName(1), fileName(2), fileName(3)]);
    expect(store.list()).toEqual(
      [3, 2, 1].map((n) => ({ sequence: n, path: join(store.directory, fileName(n)) })),
    );
    const loaded = store.loadNewest(JOB);
    expect(loaded.checkpoint).toEqual(checkpointAt(JOB, 13));
    expect(loaded.path).toBe(join(store.directory, fileName(3)));
    expect(loaded.skipped).toEqual([]);
  });

  it.each([1, 2, 3, 5])('retains the newest %i', async (retain) => {
    const store = await storeWith([1, 2, 3, 4, 5, 6, 7], retain);
    const kept = Math.min(retain, 7);
    expect(readdirSync(store.directory).sort()).toEqual(
      Array.from({ length: kept }, (_, i) => fileName(7 - kept + 1 + i)),
    );
    expect(store.loadNewest(JOB).checkpoint?.chunk).toBe(7);
  });

  it('retains 3 by default', async () => {
    expect(DEFAULT_RETAINED_CHECKPOINTS).toBe(3);
    const store = new CheckpointStore(freshDir());
    for (const chunk of [1, 2, 3, 4, 5]) await store.write(checkpointAt(JOB, chunk));
    expect(store.list().map((s) => s.sequence)).toEqual([5, 4, 3]);
  });

  it('a new store over an existing directory continues the numbering (never overwrites)', async () => {
    const first = await storeWith([1, 2]);
    const second = new CheckpointStore(first.directory, 100);
    await second.write(checkpointAt(JOB, 3));
    expect(second.list().map((s) => s.sequence)).toEqual([3, 2, 1]);
    expect(second.loadNewest(JOB).checkpoint?.chunk).toBe(3);
  });

  it('an empty directory (or one that does not exist yet) has no checkpoint', () => {
    const dir = join(freshDir(), 'not', 'yet');
    const store = new CheckpointStore(dir);
    expect(store.loadNewest(JOB)).toEqual({ checkpoint: undefined, skipped: [] });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ignores files that are not checkpoints, and removes leftover .ckpt.tmp files', async () => {
    const store = await storeWith([5]);
    const { directory } = store;
    // What a crash during a write leaves, and unrelated files a user may put there.
    writeFileSync(join(directory, `${fileName(9)}.tmp`), readFileSync(join(directory, fileName(1))));
    writeFileSync(join(directory, 'checkpoint-12.ckpt'), 'not a numbered checkpoint');
    writeFileSync(join(directory, 'notes.txt'), 'hello');
    const reopened = new CheckpointStore(directory, 100);
    expect(readdirSync(directory).sort()).toEqual([fileName(1), 'checkpoint-12.ckpt', 'notes.txt']);
    expect(reopened.loadNewest(JOB)).toMatchObject({ checkpoint: { chunk: 5 }, skipped: [] });
    await reopened.write(checkpointAt(JOB, 6));
    expect(reopened.list().map((s) => s.sequence)).toEqual([2, 1]);
  });

  it('falls back past a truncated and a bit-flipped newer checkpoint, reporting both', async () => {
    const store = await storeWith([10, 20, 30, 40]);
    const { directory } = store;
    truncateSync(join(directory, fileName(4)), 100);
    const flipped = readFileSync(join(directory, fileName(3)));
    flipped[flipped.length - 5]! ^= 0x01;
    writeFileSync(join(directory, fileName(3)), flipped);

    const loaded = store.loadNewest(JOB);
    expect(loaded.checkpoint).toEqual(checkpointAt(JOB, 20));
    expect(loaded.path).toBe(join(directory, fileName(2)));
    expect(loaded.skipped).toEqual([
      {
        path: join(directory, fileName(4)),
        reason: expect.stringMatching(/^truncated: body has 76 of \d+ bytes$/),
      },
      { path: join(directory, fileName(3)), reason: 'checksum mismatch' },
    ]);
  });

  it('a checkpoint truncated to nothing is skipped too', async () => {
    const store = await storeWith([1, 2]);
    truncateSync(join(store.directory, fileName(2)), 0);
    const loaded = store.loadNewest(JOB);
    expect(loaded.checkpoint?.chunk).toBe(1);
    expect(loaded.skipped).toEqual([
      { path: join(store.directory, fileName(2)), reason: 'truncated (0 bytes)' },
    ]);
  });

  it('when every checkpoint is broken, reports them all and finds none', async () => {
    const store = await storeWith([1, 2]);
    for (const n of [1, 2]) truncateSync(join(store.directory, fileName(n)), 30);
    const loaded = store.loadNewest(JOB);
    expect(loaded.checkpoint).toBeUndefined();
    expect(loaded.skipped.map((s) => s.path)).toEqual([2, 1].map((n) => join(store.directory, fileName(n))));
  });

  it("refuses another job's checkpoint with CheckpointMismatchError naming both jobs and the file", async () => {
    const store = await storeWith([7]);
    let error: unknown;
    try {
      store.loadNewest('generator {"seed":2}, machine seed');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CheckpointMismatchError);
    expect(error).toBeInstanceOf(StatecraftError);
    const mismatch = error as CheckpointMismatchError;
    expect(mismatch.code).toBe('CHECKPOINT_MISMATCH');
    expect(mismatch.message).toContain(join(store.directory, fileName(1)));
    expect(mismatch.message).toContain(`(${JOB})`);
    expect(mismatch.message).toContain('(generator {"seed":2}, machine seed)');
    expect(mismatch.message).not.toContain('\n');
  });

  it("refuses another job's checkpoint even behind a broken newer one of this job", async () => {
    const dir = freshDir();
    const other = new CheckpointStore(dir, 100);
    await other.write(checkpointAt('another job', 1));
    await other.write(checkpointAt(JOB, 2));
    truncateSync(join(dir, fileName(2)), 50);
    expect(() => new CheckpointStore(dir, 100).loadNewest(JOB)).toThrow(CheckpointMismatchError);
  });

  it('cannot create its directory under a file: CheckpointWriteError naming it', () => {
    const file = join(freshDir(), 'a-file');
    writeFileSync(file, '');
    const dir = join(file, 'checkpoints');
    expect(() => new CheckpointStore(dir)).toThrow(CheckpointWriteError);
    expect(() => new CheckpointStore(dir)).toThrow(`cannot create checkpoint directory ${dir}: ENOTDIR`);
  });

  it('a failed write leaves no temporary file and rejects with CheckpointWriteError', async () => {
    const store = await storeWith([1]);
    rmSync(store.directory, { recursive: true });
    const write = store.write(checkpointAt(JOB, 2));
    await expect(write).rejects.toBeInstanceOf(CheckpointWriteError);
    await expect(write).rejects.toThrow(/^cannot write checkpoint .*checkpoint-0000000002\.ckpt: ENOENT$/);
  });
});
