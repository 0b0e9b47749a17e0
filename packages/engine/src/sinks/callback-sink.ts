import type { OutputColumns } from '../batch.js';
import type { OutputSink } from './sink.js';

/** Calls a function for each chunk's outputs (in source order); handy when embedding the engine. */
export function callbackSink(
  onOutputs: (columns: OutputColumns, chunk: number) => void | Promise<void>,
): OutputSink {
  return { write: (chunk, columns) => onOutputs(columns, chunk) };
}
