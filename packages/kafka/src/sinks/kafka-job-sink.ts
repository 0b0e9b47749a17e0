import { type OutputColumns, type OutputSink, SinkError } from '@statecraft/engine';
import type { KafkaSource } from '../source/kafka-source.js';

/**
 * The sink of a job reading a KafkaSource: writes each chunk's alerts to every output in turn,
 * counts them for the chunk's partition, then tells the source the chunk is written, so that its
 * offsets can be committed (or checkpointed).
 */
export function kafkaJobSink(outputs: readonly OutputSink[], source: KafkaSource): OutputSink {
  return {
    async write(chunk: number, columns: OutputColumns): Promise<void> {
      for (const output of outputs) await output.write(chunk, columns);
      source.ledger.get(chunk).split.alerts += columns.count;
    },
    chunkWritten(chunk: number): void {
      source.chunkWritten(chunk);
    },
    async close(): Promise<void> {
      // The last checkpoints make the files they cover durable: they go before the files close.
      await source.checkpointsWritten();
      let failure: unknown;
      for (const output of outputs) {
        try {
          await output.close?.();
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) {
        throw failure instanceof SinkError ? failure : new SinkError(String(failure), failure);
      }
    },
  };
}
