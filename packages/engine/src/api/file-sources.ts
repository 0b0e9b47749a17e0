import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError, InvalidJobOptionsError } from '../errors.js';
import { fileSource } from '../sources/file-source.js';
import { gzipFileSource } from '../sources/gzip-file-source.js';
import { inputFormatOfPath } from '../sources/input-formats.js';
import type { InputFormat } from '../sources/record-format.js';
import { RecordStreamSource } from '../sources/record-stream-source.js';
import type { RejectedRecord } from '../sources/reject.js';
import type { Source, SourceContext } from './source.js';

export interface FromFileOptions {
  /** Default: from the extension (`.ndjson`/`.jsonl`, `.bin`, else csv; `.gz` is inflated). */
  format?: InputFormat;
  /** Bytes per chunk. Default 4 MiB. */
  chunkBytes?: number;
}

export interface FromStreamOptions {
  /** Default csv. */
  format?: InputFormat;
  /** Named in errors. Default "input". */
  name?: string;
  /** Bytes per chunk. Default 4 MiB. */
  chunkBytes?: number;
  /** Stop at the first bad record with a BadRecordError instead of skipping it. */
  strict?: boolean;
  /** Called for each rejected record, in input order (a dead-letter queue). */
  onReject?: (record: RejectedRecord) => void;
}

/**
 * An events file (csv, ndjson or flink-binary) as a parallel source: the worker threads parse its
 * byte ranges themselves. A `.gz` file is inflated on the calling thread, which cuts the inflated
 * bytes into the same chunks and hands them to the worker threads to parse.
 */
export function fromFile(path: string, options: FromFileOptions = {}): Source {
  const format = options.format ?? inputFormatOfPath(path);
  return {
    open(context: SourceContext) {
      const eventNames = requireEventNames(context, 'fromFile');
      try {
        statSync(path);
      } catch (error) {
        throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, error);
      }
      const chunking = {
        eventNames,
        format,
        ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
      };
      return { chunks: path.endsWith('.gz') ? gzipFileSource(path, chunking) : fileSource(path, chunking) };
    },
  };
}

/** Records of any input format from a byte stream (stdin, a socket, an HTTP body), parsed in order. */
export function fromStream(stream: Readable, options: FromStreamOptions = {}): Source {
  return {
    open: (context: SourceContext) =>
      openStream(stream, options, context, requireEventNames(context, 'fromStream')),
  };
}

function openStream(
  stream: Readable,
  options: FromStreamOptions,
  context: SourceContext,
  eventNames: readonly string[],
) {
  const source = new RecordStreamSource(stream, {
    eventNames,
    signal: context.signal,
    ...options,
  });
  return {
    chunks: source,
    rejects: () => source.rejects.nonZero(),
    close: () => {
      stream.destroy();
    },
  };
}

function requireEventNames(context: SourceContext, what: string): readonly string[] {
  if (context.eventNames === undefined) {
    throw new InvalidJobOptionsError(`${what} needs the event names: give the job eventNames (or a machine)`);
  }
  return context.eventNames;
}
