import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from './checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';
import { checkpointIoReason, createCheckpointDirectory } from './checkpoint-directory.js';
import { CheckpointError, CheckpointMismatchError, CheckpointWriteError } from './checkpoint-errors.js';
import { writeFileDurably } from './durable-write.js';

const NAME = /^checkpoint-(\d{10})\.ckpt$/;
export const DEFAULT_RETAINED_CHECKPOINTS = 3;

export interface StoredCheckpoint {
  sequence: number;
  path: string;
}

export interface LoadedCheckpoint {
  /** The newest valid checkpoint, or undefined when there is none. */
  checkpoint: Checkpoint | undefined;
  path?: string;
  /** Newer files that could not be used, with the reason: the caller reports them. */
  skipped: { path: string; reason: string }[];
}

/**
 * A directory of numbered checkpoint files. Each is written atomically (temporary file, fsync,
 * rename, fsync of the directory), so a crash leaves either the old set or the old set plus a
 * complete new file; the newest `retain` are kept.
 */
export class CheckpointStore {
  private sequence: number;

  constructor(
    readonly directory: string,
    private readonly retain = DEFAULT_RETAINED_CHECKPOINTS,
  ) {
    createCheckpointDirectory(directory);
    this.sequence = this.list()[0]?.sequence ?? 0;
    // A temporary file is what a crash in the middle of a write leaves: never a checkpoint.
    for (const name of readdirSync(directory)) {
      if (name.endsWith('.ckpt.tmp')) rmSync(join(directory, name), { force: true });
    }
  }

  /** Checkpoint files, newest first. */
  list(): StoredCheckpoint[] {
    return readdirSync(this.directory)
      .map((name) => NAME.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ sequence: Number(match[1]), path: join(this.directory, match[0]) }))
      .sort((a, b) => b.sequence - a.sequence);
  }

  async write(checkpoint: Checkpoint): Promise<string> {
    const sequence = ++this.sequence;
    const path = join(this.directory, `checkpoint-${String(sequence).padStart(10, '0')}.ckpt`);
    try {
      await writeFileDurably(path, encodeCheckpoint(checkpoint));
    } catch (error) {
      throw new CheckpointWriteError(`cannot write checkpoint ${path}: ${checkpointIoReason(error)}`, error);
    }
    for (const old of this.list().slice(this.retain)) await rm(old.path, { force: true });
    return path;
  }

  /**
   * The newest checkpoint that decodes and passes its checksum, skipping (and reporting) broken
   * newer ones. A valid checkpoint of another job is an error: resuming from it would be wrong and
   * starting over would destroy its output.
   */
  loadNewest(job: string): LoadedCheckpoint {
    const skipped: LoadedCheckpoint['skipped'] = [];
    for (const { path } of this.list()) {
      let checkpoint: Checkpoint;
      try {
        checkpoint = decodeCheckpoint(readFileSync(path));
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        skipped.push({ path, reason: error.message });
        continue;
      }
      if (checkpoint.job !== job) {
        throw new CheckpointMismatchError(
          `${path} is a checkpoint of another job (${checkpoint.job}), not of this one (${job}); ` +
            'use another --checkpoint-dir or remove it',
        );
      }
      return { checkpoint, path, skipped };
    }
    return { checkpoint: undefined, skipped };
  }
}
