import type { KafkaClient, KafkaClientOptions } from './client.js';
import { WireClusterAdmin } from './wire-cluster-admin.js';
import { WireGroupConsumer } from './wire-group-consumer.js';
import { WireRecordProducer } from './wire-record-producer.js';
import { WireTransactionalProducer } from './wire-transactional-producer.js';

/**
 * The Kafka client, all of it Statecraft's own protocol code (packages/kafka/src/wire/): group
 * membership and commits, fetching into columns, plain and transactional producers, and the admin
 * calls; no client library at run time. Speaks request versions that Kafka 2.8 and later serve.
 */
export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  return {
    options,
    consumer: (consumerOptions) => new WireGroupConsumer(options, consumerOptions),
    producer: () => new WireRecordProducer(options),
    transactionalProducer: (transactionalId) => new WireTransactionalProducer(options, transactionalId),
    admin: () => new WireClusterAdmin(options),
  };
}
