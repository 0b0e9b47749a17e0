import { mkdirSync } from 'node:fs';
import { CheckpointWriteError } from './checkpoint-errors.js';

/** Creates a checkpoint directory (and its parents) now, so that a bad path fails before the job starts. */
export function createCheckpointDirectory(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new CheckpointWriteError(
      `cannot create checkpoint directory ${directory}: ${checkpointIoReason(error)}`,
      error,
    );
  }
}

/** A failed checkpoint read or write in a word: the errno code, else the message. */
export function checkpointIoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
