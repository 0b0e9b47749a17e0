import type { CommitPoint, CommitPoints } from '../checkpoint/commit-points.js';
import type { KafkaClient, OutgoingRecord } from '../client/client.js';
import type { PartitionSplit } from '../source/partition-split.js';
import { PartitionChannel } from './partition-channel.js';

export interface PartitionTransactionsOptions {
  client: KafkaClient;
  groupId: string;
  /** The events topic: its offsets are committed in the transactions. */
  topic: string;
  /** Transactional ids are `<prefix>-<partition>`: stable per partition, so a new owner fences the old. */
  transactionalIdPrefix: string;
}

/** The mark of a split that never had a channel: nothing to commit. */
const NOTHING: CommitPoint = { commit: async () => undefined, skip: async () => undefined };

/**
 * Exactly-once output for a consumer group, as Kafka Streams' exactly-once (one producer per
 * input partition): each partition has a transactional producer of its own (transactional id
 * `<prefix>-<partition>`), whose open transaction takes the partition's alerts as they are
 * written; its checkpoint commits them together with the state snapshot and the consumed offset,
 * in one transaction.
 *
 * Every takeover of a partition (`claim`, before its checkpoint is read) starts a new producer of
 * the partition's id: its initialisation fences every earlier owner, this process's own earlier
 * producer included, and aborts their open transaction, so the checkpoint and offset read after it
 * are final. Records of a split that is revoked, or no longer the partition's newest, are dropped:
 * the partition's owner writes them again. read_committed readers see each alert once, whoever
 * dies when.
 */
export class PartitionTransactions implements CommitPoints {
  private readonly newest = new Map<number, PartitionChannel>();
  private readonly ofSplit = new WeakMap<PartitionSplit, PartitionChannel>();
  private readonly channels = new Set<PartitionChannel>();

  constructor(private readonly options: PartitionTransactionsOptions) {}

  /** Gives the split a new producer of its partition's id, fencing the partition's earlier ones. */
  async claim(split: PartitionSplit): Promise<void> {
    const { client, transactionalIdPrefix, groupId, topic } = this.options;
    const previous = this.newest.get(split.partition);
    const channel: PartitionChannel = new PartitionChannel(
      split.partition,
      client.transactionalProducer(`${transactionalIdPrefix}-${split.partition}`),
      { groupId, topic },
      () => split.owned && this.newest.get(split.partition) === channel,
    );
    this.newest.set(split.partition, channel);
    this.ofSplit.set(split, channel);
    this.channels.add(channel);
    if (previous !== undefined) this.retire(previous);
    await channel.connect();
  }

  /** Sends a split's records in its open transaction (one is begun if none is). */
  async send(
    split: PartitionSplit,
    topic: string,
    records: readonly OutgoingRecord[],
    toPartition?: number,
  ): Promise<void> {
    const channel = this.ofSplit.get(split);
    if (channel === undefined) {
      throw new Error(`partition ${split.partition}: records sent before the partition was claimed`);
    }
    if (!split.owned || this.newest.get(split.partition) !== channel) return;
    await channel.send(topic, records, toPartition);
  }

  /** Marks where a split's checkpoint falls: records sent from now on go to the next transaction. */
  mark(split: PartitionSplit): CommitPoint {
    return this.ofSplit.get(split)?.mark() ?? NOTHING;
  }

  async close(): Promise<void> {
    await Promise.all([...this.channels].map((channel) => channel.close()));
    this.channels.clear();
  }

  /** A partition's earlier channel closes once its marks are committed or skipped (it is fenced by now). */
  private retire(channel: PartitionChannel): void {
    void channel.idle().then(() => {
      this.channels.delete(channel);
      return channel.close();
    });
  }
}
