import { KafkaError, TopicNotFoundError } from '../errors.js';

/**
 * The cluster refused a request for good (an authorization failure, an inconsistent group
 * protocol, a bad setting): asking again would not help, unlike a lost connection or a
 * coordinator that moved, which are ridden out.
 */
export class KafkaRefusedError extends KafkaError {}

/** Whether retrying may help: anything but a refusal or a missing topic (a lost connection, a timeout). */
export function isRetriableTrouble(error: unknown): boolean {
  return !(error instanceof KafkaRefusedError || error instanceof TopicNotFoundError);
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new KafkaError(String(error));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
