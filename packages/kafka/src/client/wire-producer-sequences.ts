import { encodeRecordList, type KeyedRecord, sliceRecords } from '../wire/record-list-encoder.js';
import { MAX_BATCH_BYTES } from './wire-record-sender.js';

/**
 * The sequence numbers of an idempotent producer's partitions, for one producer id and epoch:
 * each partition's first batch starts at 0, each next one where the previous one's records end
 * (across transactions), so the broker writes a batch sent twice once and refuses a gap.
 */
export class ProducerSequences {
  private readonly next = new Map<string, number>();

  /** A new epoch: every partition starts again at 0. */
  reset(): void {
    this.next.clear();
  }

  /** Each partition's records as transactional record batches, numbered on from the last ones. */
  encode(
    topic: string,
    byPartition: ReadonlyMap<number, readonly KeyedRecord[]>,
    producer: { producerId: number; producerEpoch: number },
  ): Map<number, Buffer[]> {
    const timestamp = Date.now();
    const batches = new Map<number, Buffer[]>();
    for (const [partition, records] of byPartition) {
      const key = `${topic}:${partition}`;
      let sequence = this.next.get(key) ?? 0;
      const encoded = sliceRecords(records, MAX_BATCH_BYTES).map((slice) => {
        const batch = encodeRecordList(records, slice, timestamp, {
          producerId: producer.producerId,
          producerEpoch: producer.producerEpoch,
          baseSequence: sequence,
          transactional: true,
        });
        // Sequence numbers wrap around at 2^31, as the broker's do.
        sequence = (sequence + slice.count) % 2 ** 31;
        return batch;
      });
      this.next.set(key, sequence);
      batches.set(partition, encoded);
    }
    return batches;
  }
}
