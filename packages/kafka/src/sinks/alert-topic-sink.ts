import type { OutputColumns, OutputSink } from '@statecraft/engine';
import type { OutgoingRecord, RecordProducer } from '../client/client.js';
import { ADDRESS_KEY_BYTES, encodeAddressKeys } from '../codec/address-key.js';
import type { PartitionTransactions } from '../exactly-once/partition-transactions.js';
import type { ChunkLedger } from '../source/chunk-ledger.js';

/** Headers every alert record carries: where the event that raised it was read. */
export const SOURCE_HEADERS = {
  topic: 'statecraft-source-topic',
  partition: 'statecraft-source-partition',
  offset: 'statecraft-source-offset',
} as const;

/**
 * Alerts to a Kafka topic: one record per alert, keyed by its address (like the events), the
 * value one alert in the chosen format (a line without its newline), and headers naming the
 * source topic, partition and offset of the event that raised it. A chunk's alerts are sent
 * together and acknowledged by every in-sync replica before the chunk counts as written.
 *
 * At-least-once by default: after a crash or a rebalance the events since the last commit are
 * read again, and their alerts sent again; (partition, offset) identifies a duplicate for a
 * consumer that must drop them. Exactly-once with `transactions` (for read_committed readers).
 */
export class AlertTopicSink implements OutputSink {
  constructor(
    private readonly producer: RecordProducer,
    private readonly topic: string,
    private readonly sourceTopic: string,
    private readonly formatLines: (columns: OutputColumns) => string,
    private readonly ledger: ChunkLedger,
    /** Exactly-once: each partition's alerts go into its open transaction, committed by its checkpoint. */
    private readonly transactions?: PartitionTransactions,
  ) {}

  async write(chunk: number, columns: OutputColumns): Promise<void> {
    const { split, offsets } = this.ledger.get(chunk);
    const lines = this.formatLines(columns).split('\n');
    const keys = encodeAddressKeys(columns.keys, columns.count);
    const partition = String(split.partition);
    const records: OutgoingRecord[] = new Array(columns.count);
    for (let i = 0; i < columns.count; i++) {
      records[i] = {
        key: keys.subarray(i * ADDRESS_KEY_BYTES, (i + 1) * ADDRESS_KEY_BYTES),
        value: lines[i]!,
        headers: {
          [SOURCE_HEADERS.topic]: this.sourceTopic,
          [SOURCE_HEADERS.partition]: partition,
          [SOURCE_HEADERS.offset]: String(offsets[columns.positions[i]!]),
        },
      };
    }
    if (this.transactions !== undefined) await this.transactions.send(split, this.topic, records);
    else await this.producer.send(this.topic, records);
  }
}
