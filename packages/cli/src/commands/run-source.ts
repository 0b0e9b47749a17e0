import {
  BadRecordError,
  DEFAULT_CHUNK_BYTES,
  type EventBatch,
  fileSource,
  gzipFileSource,
  INPUT_FORMATS,
  type InputFormat,
  inputFormatOfPath,
  isInputFormat,
  type JobSummary,
  type ParallelSource,
  REJECT_DESCRIPTIONS,
  RecordStreamSource,
  type RejectedRecord,
} from '@statecraft/engine';
import { type CompiledMachine, generatorSource } from '@statecraft/fsm';
import { usageError } from '../cli-error.js';
import { DeadLetterFile } from '../io/dead-letter.js';
import { checkReadableFile, openInput } from '../io/open-input.js';
import { generatorFlags, integerFlag } from '../options.js';
import type { RunStats } from '../summary.js';
import type { RunArgs } from './run-args.js';

/** The source of a file or generator run, with what the command does with its rejected records. */
export interface PreparedSource {
  chunks: Iterable<EventBatch> | AsyncIterable<EventBatch> | ParallelSource;
  name: string;
  /** Rejected records by reason: a parallel source reports them in the job summary. */
  rejected: (summary: JobSummary) => RunStats['rejectedByReason'];
  /** Each rejected record of a parallel file source, in file order (dead letters, --strict). */
  onRejected?: (record: RejectedRecord) => void;
  close: () => void;
}

/** The generator (no --input), a file read in parallel chunks, or stdin read in order. */
export function prepareSource(args: RunArgs, machine: CompiledMachine, signal: AbortSignal): PreparedSource {
  if (args.input === undefined) {
    const events = integerFlag('events', args.events, 0);
    const chunks = generatorSource({
      machine,
      events,
      ...generatorFlags(args),
    });
    return { chunks, name: 'generator', rejected: () => ({}), close: () => undefined };
  }
  const format = args.inputFormat ?? inputFormatOfPath(args.input);
  if (!isInputFormat(format)) {
    throw usageError(`--input-format ${format} is not supported (supported: ${INPUT_FORMATS.join(', ')})`);
  }
  if (args.input !== '-') {
    checkReadableFile(args.input);
    const input = args.input;
    const keepRejected = args.deadLetter !== undefined || args.strict;
    const options = { eventNames: machine.eventNames, format, keepRejected };
    // A .gz file is inflated on this thread and its chunks parsed in the workers, like a plain file's.
    const chunks = input.endsWith('.gz') ? gzipFileSource(input, options) : fileSource(input, options);
    const deadLetter =
      args.deadLetter === undefined
        ? undefined
        : new DeadLetterFile(args.deadLetter, input, format === 'flink-binary' ? 'hex' : 'text');
    const onRejected = !keepRejected
      ? undefined
      : (record: RejectedRecord) => {
          if (args.strict) {
            throw new BadRecordError(input, record.line, record.offset, REJECT_DESCRIPTIONS[record.reason]);
          }
          deadLetter?.add(record);
        };
    return {
      chunks,
      name: input,
      rejected: (summary) => summary.rejects,
      ...(onRejected === undefined ? {} : { onRejected }),
      close: () => deadLetter?.close(),
    };
  }
  return sequentialInput({ ...args, input: args.input }, format, machine, signal);
}

/** Stdin: the input is read as a stream and parsed on the main thread, in order, with line numbers. */
function sequentialInput(
  args: RunArgs & { input: string },
  format: InputFormat,
  machine: CompiledMachine,
  signal: AbortSignal,
): PreparedSource {
  const input = openInput(args.input, DEFAULT_CHUNK_BYTES);
  const deadLetter =
    args.deadLetter === undefined
      ? undefined
      : new DeadLetterFile(args.deadLetter, input.name, format === 'flink-binary' ? 'hex' : 'text');
  const source = new RecordStreamSource(input.stream, {
    format,
    eventNames: machine.eventNames,
    name: input.name,
    strict: args.strict,
    signal,
    ...(deadLetter === undefined ? {} : { onReject: (record) => deadLetter.add(record) }),
  });
  return {
    chunks: source,
    name: input.name,
    rejected: () => source.rejects.nonZero(),
    close: () => {
      deadLetter?.close();
      if (input.stream !== process.stdin) input.stream.destroy();
    },
  };
}
