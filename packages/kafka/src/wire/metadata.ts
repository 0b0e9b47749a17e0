import { TopicNotFoundError } from '../errors.js';
import type { BrokerAddress, BrokerConnection } from './broker-connection.js';
import { ErrorCode } from './error-codes.js';

const METADATA = 3;
const VERSION = 10;
/** Topics are named in requests: their id field is all zeros. */
const NO_TOPIC_ID = new Uint8Array(16);

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  leader: number;
}

export interface TopicMetadata {
  name: string;
  errorCode: number;
  /** The topic's id (hex): a topic deleted and created again under its name has a new one. */
  id: string;
  /** Indexed by partition number. */
  partitions: PartitionMetadata[];
}

export interface ClusterMetadata {
  brokers: Map<number, BrokerAddress>;
  topics: TopicMetadata[];
  /** The controller's node id (CreateTopics goes there on ZooKeeper clusters), -1 when unknown. */
  controller: number;
}

/** Metadata (v10, Kafka 2.8+) of the named topics; never creates a topic. */
export async function fetchMetadata(
  connection: BrokerConnection,
  topics: readonly string[],
): Promise<ClusterMetadata> {
  const reader = await connection.request(METADATA, VERSION, 'Metadata response', (writer) => {
    writer.compactArray(topics, (w, name) => w.raw(NO_TOPIC_ID).compactString(name).tags());
    writer.boolean(false).boolean(false).boolean(false).tags();
  });
  reader.int32(); // throttle time
  const brokers = new Map<number, BrokerAddress>();
  for (const broker of reader.compactArray((r) => {
    const node = r.int32();
    const host = r.compactString() ?? '';
    const port = r.int32();
    r.compactString(); // rack
    r.tags();
    return { node, host, port };
  })) {
    brokers.set(broker.node, { host: broker.host, port: broker.port });
  }
  reader.compactString(); // cluster id
  const controller = reader.int32();
  const result = reader.compactArray((r): TopicMetadata => {
    const errorCode = r.int16();
    const name = r.compactString() ?? '';
    const id = r.bytes(16).toString('hex');
    r.boolean(); // internal
    const partitions = r.compactArray((p): PartitionMetadata => {
      const partitionError = p.int16();
      const partition = p.int32();
      const leader = p.int32();
      p.int32(); // leader epoch
      p.compactArray((n) => n.int32()); // replicas
      p.compactArray((n) => n.int32()); // in-sync replicas
      p.compactArray((n) => n.int32()); // offline replicas
      p.tags();
      return { partition, errorCode: partitionError, leader };
    });
    r.int32(); // authorized operations
    r.tags();
    partitions.sort((a, b) => a.partition - b.partition);
    return { name, errorCode, id, partitions };
  });
  return { brokers, topics: result, controller };
}

/** The topic's metadata; TopicNotFoundError when the cluster has no such topic. */
export function existingTopic(
  metadata: ClusterMetadata,
  topic: string,
  brokers: readonly string[],
): TopicMetadata {
  const found = metadata.topics.find((t) => t.name === topic);
  if (
    found === undefined ||
    found.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    found.partitions.length === 0
  ) {
    throw new TopicNotFoundError(topic, brokers);
  }
  return found;
}
