import { KafkaError } from '../errors.js';
import { ProtocolReader } from './protocol-reader.js';
import { ProtocolWriter } from './protocol-writer.js';

/**
 * The "consumer" protocol type's member metadata (ConsumerProtocolSubscription) and assignment
 * (ConsumerProtocolAssignment), the encodings Java consumers and kafkajs put in JoinGroup and
 * SyncGroup. Non-flexible: INT16 version, INT32-counted arrays, INT16-length strings, INT32-length
 * bytes. Later versions only append fields, so a reader of version 0's fields reads every version.
 */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';
const VERSION = 0;

/** A member's subscription (version 0: its topics, no user data). */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const writer = new ProtocolWriter(64).int16(VERSION).int32(topics.length);
  for (const topic of topics) writer.nullableString(topic);
  return Buffer.from(writer.int32(0).bytes()); // empty user data, as kafkajs writes it
}

/** The topics a member subscribes to, from its metadata of any version. */
export function decodeSubscription(metadata: Buffer): string[] {
  const reader = new ProtocolReader(metadata, 0, 'consumer subscription');
  reader.int16(); // version
  return array(reader, () => string(reader));
}

/** A member's partitions of each topic (version 0, no user data). */
export function encodeAssignment(assignment: ReadonlyMap<string, readonly number[]>): Buffer {
  const writer = new ProtocolWriter(64).int16(VERSION).int32(assignment.size);
  for (const [topic, partitions] of assignment) {
    writer.nullableString(topic).int32(partitions.length);
    for (const partition of partitions) writer.int32(partition);
  }
  return Buffer.from(writer.int32(0).bytes()); // empty user data, as kafkajs writes it
}

/**
 * A member's partitions of each topic, from an assignment of any version. An empty assignment
 * (no bytes: a leader that gave this member nothing may send none) assigns nothing.
 */
export function decodeAssignment(bytes: Buffer): Map<string, number[]> {
  const assignment = new Map<string, number[]>();
  if (bytes.length === 0) return assignment;
  const reader = new ProtocolReader(bytes, 0, 'consumer assignment');
  reader.int16(); // version
  const count = reader.int32();
  for (let i = 0; i < count; i++) {
    const topic = string(reader);
    assignment.set(
      topic,
      array(reader, () => reader.int32()),
    );
  }
  return assignment;
}

function array<T>(reader: ProtocolReader, read: () => T): T[] {
  const count = reader.int32();
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(read());
  return items;
}

function string(reader: ProtocolReader): string {
  const length = reader.int16();
  if (length < 0) throw new KafkaError('malformed consumer protocol data: a null topic name');
  return reader.bytes(length).toString('utf8');
}
