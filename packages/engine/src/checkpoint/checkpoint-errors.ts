import { StatecraftError } from '../errors.js';

/** A checkpoint file that cannot be used (truncated, corrupt, another version). */
export class CheckpointError extends StatecraftError {
  constructor(reason: string) {
    super('CHECKPOINT_INVALID', reason);
  }
}

/** The checkpoint directory holds another job's checkpoints. */
export class CheckpointMismatchError extends StatecraftError {
  constructor(message: string) {
    super('CHECKPOINT_MISMATCH', message);
  }
}

/** A checkpoint could not be written (full disk, permissions): the job stops rather than run unprotected. */
export class CheckpointWriteError extends StatecraftError {
  constructor(message: string, cause?: unknown) {
    super('CHECKPOINT_FAILED', message, { cause });
  }
}
