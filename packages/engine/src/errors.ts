/** Base of every error the engine raises on purpose: a stable `code` and a one-line message. */
export class StatecraftError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

/** Job options that cannot work (negative counts, more workers than partitions, ...). */
export class InvalidJobOptionsError extends StatecraftError {
  constructor(message: string) {
    super('INVALID_JOB_OPTIONS', message);
  }
}

/** A worker thread threw, could not load its operator, or died (`worker` is -1 for the pool itself). */
export class WorkerFailedError extends StatecraftError {
  constructor(worker: number, reason: string, cause?: unknown) {
    super('WORKER_FAILED', `${worker < 0 ? 'worker pool' : `worker ${worker}`} failed: ${reason}`, {
      cause,
      details: { worker },
    });
  }

  /** Wraps whatever a worker threw (or Piscina reported) unless it already is a WorkerFailedError. */
  static from(worker: number, error: unknown): WorkerFailedError {
    if (error instanceof WorkerFailedError) return error;
    return new WorkerFailedError(worker, error instanceof Error ? error.message : String(error), error);
  }
}

/** The input could not be opened or read. */
export class InputError extends StatecraftError {
  constructor(message: string, cause?: unknown) {
    super('INPUT_UNREADABLE', message, { cause });
  }
}

/**
 * A bad input record under strict mode: `input:line: reason` for line formats, and
 * `input: byte offset: reason` for binary records, which have no lines.
 */
export class BadRecordError extends StatecraftError {
  constructor(input: string, line: number, offset: number, reason: string) {
    const where = line > 0 ? `${input}:${line}` : `${input}: byte ${offset}`;
    super('BAD_RECORD', `${where}: ${reason}`, { details: { line, offset } });
  }
}

/** The sink could not be written (closed pipe, full disk, ...). */
export class SinkError extends StatecraftError {
  constructor(message: string, cause?: unknown) {
    super('SINK_FAILED', message, { cause });
  }
}

export function isStatecraftError(error: unknown): error is StatecraftError {
  return error instanceof StatecraftError;
}

/** The plain form an error takes across postMessage; rebuilt on the receiving side. */
export interface SerializedError {
  code: string;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof StatecraftError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'ERROR', message: error.message };
  return { code: 'ERROR', message: String(error) };
}

/** Rebuilds an error a worker thread sent as `{ code, message }`, keeping the codes users act on. */
export function deserializeError(worker: number, error: SerializedError): StatecraftError {
  switch (error.code) {
    case 'INPUT_UNREADABLE':
      return new InputError(error.message);
    case 'BAD_RECORD':
      return new StatecraftError('BAD_RECORD', error.message);
    default:
      return new WorkerFailedError(worker, error.message);
  }
}
