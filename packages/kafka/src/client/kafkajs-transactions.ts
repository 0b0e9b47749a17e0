import { type Kafka, type Transaction as KafkaJsTransaction, Partitioners, type Producer } from 'kafkajs';
import { ProducerFencedError } from '../errors.js';
import type { OutgoingRecord, PartitionOffset, Transaction, TransactionalProducer } from './client.js';
import { isFenced } from './kafkajs-errors.js';

type Fail = (error: unknown, what: string, topic?: string) => Error;

/** A transactional producer on kafkajs (idempotent, one request in flight, acks from every in-sync replica). */
export class KafkaJsTransactionalProducer implements TransactionalProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly transactionalId: string,
    private readonly fail: Fail,
  ) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      transactionTimeout: 60_000,
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw this.translate(error, 'cannot start a transactional producer');
    }
  }

  async begin(): Promise<Transaction> {
    let transaction: KafkaJsTransaction;
    try {
      transaction = await this.producer.transaction();
    } catch (error) {
      throw this.translate(error, 'cannot begin a transaction');
    }
    return {
      send: async (topic: string, records: readonly OutgoingRecord[], partition?: number) => {
        const messages =
          partition === undefined ? records : records.map((record) => ({ ...record, partition }));
        try {
          const sent = await transaction.send({ topic, acks: -1, messages: messages as OutgoingRecord[] });
          return new Map(sent.map((s) => [s.partition, Number(s.baseOffset)]));
        } catch (error) {
          throw this.translate(error, `cannot send to topic ${topic}`, topic);
        }
      },
      commitWithOffsets: async (groupId: string, topic: string, offsets: readonly PartitionOffset[]) => {
        try {
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic,
                partitions: offsets.map(({ partition, offset }) => ({ partition, offset: String(offset) })),
              },
            ],
          });
          await transaction.commit();
        } catch (error) {
          throw this.translate(error, 'cannot commit a transaction', topic);
        }
      },
      abort: async () => {
        try {
          await transaction.abort();
        } catch (error) {
          throw this.translate(error, 'cannot abort a transaction');
        }
      },
    };
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  private translate(error: unknown, what: string, topic?: string): Error {
    if (isFenced(error)) return new ProducerFencedError(this.transactionalId, error);
    return this.fail(error, `${what} (transactional id ${this.transactionalId})`, topic);
  }
}
