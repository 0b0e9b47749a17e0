import { SinkError } from '../errors.js';
import type { OutputSink } from './sink.js';

/** Closes a sink at the end of a job; whatever it throws becomes a SinkError. */
export async function closeSink(sink: OutputSink): Promise<void> {
  try {
    await sink.close?.();
  } catch (error) {
    if (error instanceof SinkError) throw error;
    throw new SinkError(
      `cannot close the sink: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}
