// The Kafka flags as declared for yargs, and as the commands receive them. Nothing here loads
// the Kafka client or the engine: `--help` and argument checking read these declarations.

export const DEFAULT_KAFKA_TIMEOUT_MS = 10_000;
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
export const DEFAULT_CLIENT_ID = 'statecraft';

/** yargs options shared by `run` (Kafka source) and `produce`. No defaults: `run` tells Kafka use by their presence. */
export const kafkaClientOptions = {
  brokers: { type: 'string', describe: 'Kafka bootstrap brokers, host:port[,host:port...]' },
  topic: { type: 'string', describe: 'Kafka topic of the events' },
  'kafka-format': {
    type: 'string',
    choices: ['flink-binary', 'csv', 'ndjson'],
    describe: "record value format (default flink-binary: Flink's 8-byte events, one per record)",
  },
  'kafka-timeout': {
    type: 'number',
    describe: `ms to reach the cluster at start-up (for run, also to join the group) before failing (default ${DEFAULT_KAFKA_TIMEOUT_MS})`,
  },
  'kafka-client-id': { type: 'string', describe: `client id the brokers see (default ${DEFAULT_CLIENT_ID})` },
} as const;

/** yargs options of `run` that only a Kafka source has. */
export const kafkaRunOptions = {
  ...kafkaClientOptions,
  group: { type: 'string', describe: 'Kafka consumer group: processes of one group share the partitions' },
  'until-end': {
    type: 'boolean',
    describe: "stop once the group's committed offsets reach the topic's end offsets at start",
  },
  'alerts-topic': {
    type: 'string',
    describe: 'also send the alerts to this topic (keyed by address; at-least-once)',
  },
  'output-dir': { type: 'string', describe: 'one alert file per Kafka partition: <dir>/partition-<n>.<ext>' },
  guarantee: {
    type: 'string',
    describe:
      'at-least-once (default) or exactly-once: alerts to --alerts-topic, state to --state-topic and offsets commit in one Kafka transaction per checkpoint',
  },
  'state-topic': {
    type: 'string',
    describe:
      "checkpoint each partition's state into this compacted topic (created if missing): it moves with its partition, no shared disk",
  },
  'kafka-session-timeout': {
    type: 'number',
    describe: `ms without heartbeat before the group drops a member (default ${DEFAULT_SESSION_TIMEOUT_MS})`,
  },
  'kafka-reconnect-timeout': {
    type: 'number',
    describe:
      'ms a running job rides out a cluster it lost (a broker restarting) before it fails (default 60000)',
  },
  'kafka-fetch-bytes': {
    type: 'number',
    describe: 'most bytes one fetch returns per partition, which bounds a chunk (default 1048576)',
  },
  'kafka-metadata-max-age': {
    type: 'number',
    describe: 'ms between looks for partitions added to the topic, which are then assigned (default 300000)',
  },
} as const;

/** The Kafka flags of `run` and `produce`, camel-cased. */
export interface KafkaFlags {
  brokers?: string;
  topic?: string;
  group?: string;
  untilEnd?: boolean;
  alertsTopic?: string;
  outputDir?: string;
  stateTopic?: string;
  guarantee?: string;
  kafkaFormat?: string;
  kafkaSessionTimeout?: number;
  kafkaFetchBytes?: number;
  kafkaMetadataMaxAge?: number;
  kafkaReconnectTimeout?: number;
  kafkaTimeout?: number;
  kafkaClientId?: string;
}

/** yargs's parsed Kafka flags as KafkaFlags. */
export function kafkaFlagsOf(args: {
  brokers?: string;
  topic?: string;
  group?: string;
  'until-end'?: boolean;
  'alerts-topic'?: string;
  'output-dir'?: string;
  'state-topic'?: string;
  guarantee?: string;
  'kafka-format'?: string;
  'kafka-session-timeout'?: number;
  'kafka-fetch-bytes'?: number;
  'kafka-metadata-max-age'?: number;
  'kafka-reconnect-timeout'?: number;
  'kafka-timeout'?: number;
  'kafka-client-id'?: string;
}): KafkaFlags {
  return {
    brokers: args.brokers,
    topic: args.topic,
    group: args.group,
    untilEnd: args['until-end'],
    alertsTopic: args['alerts-topic'],
    outputDir: args['output-dir'],
    stateTopic: args['state-topic'],
    guarantee: args.guarantee,
    kafkaFormat: args['kafka-format'],
    kafkaSessionTimeout: args['kafka-session-timeout'],
    kafkaFetchBytes: args['kafka-fetch-bytes'],
    kafkaMetadataMaxAge: args['kafka-metadata-max-age'],
    kafkaReconnectTimeout: args['kafka-reconnect-timeout'],
    kafkaTimeout: args['kafka-timeout'],
    kafkaClientId: args['kafka-client-id'],
  };
}

const KAFKA_FLAG_NAMES: readonly (keyof KafkaFlags)[] = [
  'brokers',
  'topic',
  'group',
  'untilEnd',
  'alertsTopic',
  'outputDir',
  'stateTopic',
  'guarantee',
  'kafkaFormat',
  'kafkaSessionTimeout',
  'kafkaFetchBytes',
  'kafkaMetadataMaxAge',
  'kafkaReconnectTimeout',
  'kafkaTimeout',
  'kafkaClientId',
];

/** Whether a `run` reads Kafka: any Kafka flag says so (and the rest are then checked). */
export function usesKafka(flags: KafkaFlags): boolean {
  return KAFKA_FLAG_NAMES.some((name) => flags[name] !== undefined);
}
