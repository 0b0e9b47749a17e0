import type { BrokerConnection } from './broker-connection.js';

const CREATE_TOPICS = 19;
const VERSION = 5;

export interface TopicToCreate {
  name: string;
  partitions: number;
  config?: Readonly<Record<string, string>>;
}

export interface CreatedTopic {
  name: string;
  /** TOPIC_ALREADY_EXISTS when it was there before: for the caller to take as done. */
  errorCode: number;
  errorMessage: string | null;
}

/**
 * CreateTopics v5 (Kafka 2.4+) with the broker's default replication factor (-1) and no replica
 * assignment; the broker answers once the controller created them (or `timeoutMs` passed), not
 * once their partitions have leaders.
 */
export async function createTopics(
  connection: BrokerConnection,
  topics: readonly TopicToCreate[],
  timeoutMs: number,
): Promise<CreatedTopic[]> {
  const reader = await connection.request(CREATE_TOPICS, VERSION, 'CreateTopics response', (writer) => {
    writer.compactArray(topics, (w, { name, partitions, config }) => {
      w.compactString(name).int32(partitions).int16(-1);
      w.compactArray([], () => undefined); // no replica assignment
      w.compactArray(Object.entries(config ?? {}), (c, [key, value]) =>
        c.compactString(key).compactString(value).tags(),
      );
      w.tags();
    });
    writer.int32(timeoutMs).boolean(false).tags();
  });
  reader.int32(); // throttle time
  const created = reader.compactArray((r): CreatedTopic => {
    const name = r.compactString() ?? '';
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    r.int32(); // partitions
    r.int16(); // replication factor
    r.compactArray((c) => {
      c.compactString(); // name
      c.compactString(); // value
      c.boolean(); // read only
      c.int8(); // source
      c.boolean(); // sensitive
      c.tags();
    });
    r.tags(); // the topic config error code is a tagged field
    return { name, errorCode, errorMessage };
  });
  reader.tags();
  return created;
}
