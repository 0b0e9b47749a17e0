import { BrokerPool } from '../wire/broker-pool.js';
import {
  DEFAULT_RECONNECT_MS,
  type KafkaClientOptions,
  type OutgoingRecord,
  type RecordProducer,
} from './client.js';
import { WireRecordSender } from './wire-record-sender.js';

/**
 * A plain producer (not idempotent, as kafkajs's was) on Statecraft's own Produce requests: each
 * record to its key's partition, acknowledged by every in-sync replica. A missing topic fails at
 * once (TopicNotFoundError); a cluster out of reach is waited for, with a growing pause, up to
 * `reconnectMs` (then KafkaUnreachableError).
 */
export class WireRecordProducer implements RecordProducer {
  private readonly pool: BrokerPool;
  private readonly sender: WireRecordSender;
  private disconnected = false;

  constructor(options: KafkaClientOptions) {
    this.pool = new BrokerPool(options);
    this.sender = new WireRecordSender(this.pool, {
      brokers: options.brokers,
      timeoutMs: options.timeoutMs,
      reconnectMs: options.reconnectMs ?? DEFAULT_RECONNECT_MS,
      stopped: () => this.disconnected,
    });
  }

  /** Reaches a bootstrap broker (KafkaUnreachableError when none answers within `timeoutMs`). */
  async connect(): Promise<void> {
    await this.pool.bootstrapConnection();
  }

  async send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    await this.sender.send(topic, records);
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
    await this.pool.close();
  }
}
