import type { EventBatch, InputFormat } from '@statecraft/engine';
import { eventRecords } from '../codec/event-records.js';
import type { RecordColumns } from '../wire/record-batch-encoder.js';

/** What produceEvents writes through: a producer of records in columns (ColumnarProducer). */
export interface ColumnSender {
  send(topic: string, records: RecordColumns): Promise<unknown>;
}

export interface ProduceEventsOptions {
  producer: ColumnSender;
  topic: string;
  /** The record value format (default flink-binary: one 8-byte Flink event per record). */
  format?: InputFormat;
  eventNames: readonly string[];
  /** At most this many events per second (evenly paced); unbounded when undefined. */
  rate?: number;
  /** Records per send (one request per partition leader, or a few). Default 65,536. */
  recordsPerSend?: number;
  /** Called after every send with the events sent so far. */
  onProgress?: (events: number) => void;
  /** Aborting stops before the next send. */
  signal?: AbortSignal;
}

export interface ProduceEventsResult {
  events: number;
  interrupted: boolean;
}

/**
 * Writes an event stream to a topic in stream order, one record per event keyed by its address
 * (so each address's events stay in order in one partition), as Flink's KafkaEventsGeneratorJob
 * feeds its job. Sends are awaited one at a time: a partition's records are never reordered.
 */
export async function produceEvents(
  chunks: Iterable<EventBatch> | AsyncIterable<EventBatch>,
  options: ProduceEventsOptions,
): Promise<ProduceEventsResult> {
  const { producer, topic, eventNames, rate, signal } = options;
  const format = options.format ?? 'flink-binary';
  // Paced sends stay small, so that a rate is kept over short spans too (about 20 sends a second).
  const perSend = Math.max(
    1,
    Math.min(
      options.recordsPerSend ?? 65_536,
      rate === undefined ? Number.POSITIVE_INFINITY : Math.ceil(rate / 20),
    ),
  );
  const started = performance.now();
  let events = 0;
  for await (const batch of chunks) {
    for (let start = 0; start < batch.count; start += perSend) {
      if (signal?.aborted) return { events, interrupted: true };
      const count = Math.min(perSend, batch.count - start);
      if (rate !== undefined) await sleepUntil(started + ((events + count) * 1000) / rate, signal);
      if (signal?.aborted) return { events, interrupted: true };
      const slice: EventBatch = {
        count,
        addresses: batch.addresses.subarray(start, start + count),
        types: batch.types.subarray(start, start + count),
      };
      await producer.send(topic, eventRecords(slice, format, eventNames));
      events += count;
      options.onProgress?.(events);
    }
  }
  return { events, interrupted: false };
}

function sleepUntil(time: number, signal: AbortSignal | undefined): Promise<void> {
  const wait = time - performance.now();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, wait);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
