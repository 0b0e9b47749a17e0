import type { OutputColumns } from '../batch.js';
import type { OutputSink } from '../sinks/sink.js';

/**
 * A sink that hands typed records to a callback, chunk by chunk in source order: `decode` turns
 * a chunk's columnar outputs into records (the state machine's are alerts; a custom operator's
 * are whatever its codes mean). Chunks without outputs are not passed on.
 */
export function recordsSink<T>(
  decode: (columns: OutputColumns) => T[],
  onRecords: (records: T[], chunk: number) => void | Promise<void>,
  onClose?: () => void | Promise<void>,
): OutputSink {
  return {
    write: (chunk, columns) => (columns.count === 0 ? undefined : onRecords(decode(columns), chunk)),
    ...(onClose === undefined ? {} : { close: onClose }),
  };
}
