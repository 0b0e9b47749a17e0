import { StatecraftError } from '@statecraft/engine';

/** Kafka could not be used: the cluster, the group or a request failed (the CLI exits 1). */
export class KafkaError extends StatecraftError {
  constructor(message: string, cause?: unknown, code = 'KAFKA_FAILED') {
    super(code, message, { cause });
  }
}

/** No broker of the bootstrap list answered in time. */
export class KafkaUnreachableError extends KafkaError {
  constructor(brokers: readonly string[], reason: string, cause?: unknown) {
    super(`cannot reach Kafka at ${brokers.join(',')}: ${reason}`, cause, 'KAFKA_UNREACHABLE');
  }
}

/** The topic does not exist (the clients never create topics). */
export class TopicNotFoundError extends KafkaError {
  constructor(topic: string, brokers: readonly string[]) {
    super(
      `topic ${topic} does not exist on ${brokers.join(',')} (create it first; the clients never create topics)`,
      undefined,
      'KAFKA_TOPIC_MISSING',
    );
  }
}

/** A newer producer with the same transactional id took over (the partition moved): this one may not write. */
export class ProducerFencedError extends KafkaError {
  constructor(transactionalId: string, cause?: unknown) {
    super(`producer ${transactionalId} was fenced by a newer one`, cause, 'KAFKA_PRODUCER_FENCED');
  }
}

/**
 * The cluster refused a request for good (an authorization failure, an inconsistent group
 * protocol, records the broker will not take, a bad setting): asking again would not help, unlike
 * a lost connection or a coordinator that moved, which are ridden out. `errorCode` is Kafka's
 * error code when the refusal came with one.
 */
export class KafkaRefusedError extends KafkaError {
  constructor(
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
  }
}

/** Whether retrying may help: anything but a refusal or a missing topic (a lost connection, a timeout). */
export function isRetriableTrouble(error: unknown): boolean {
  return !(error instanceof KafkaRefusedError || error instanceof TopicNotFoundError);
}

export function isKafkaError(error: unknown): error is KafkaError {
  return error instanceof KafkaError;
}
