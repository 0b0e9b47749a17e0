import { KafkaError, KafkaUnreachableError, TopicNotFoundError } from '../errors.js';

/** What kafkajs errors carry beyond Error. */
interface KafkaJsErrorFields {
  name?: string;
  type?: string;
  cause?: unknown;
}

const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError']);
/** Errors that mean the group moved to a new generation: a commit of the old one is refused. */
const STALE_MEMBERSHIP = new Set(['ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID']);

/** The innermost error of a kafkajs error chain (retries wrap the error that made them give up). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 8; depth++) {
    const cause = (current as KafkaJsErrorFields | undefined)?.cause;
    if (cause === undefined || cause === null || cause === current) break;
    current = cause;
  }
  return current;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors that mean a newer producer of the same transactional id fenced this one. */
const FENCED = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

export function isFenced(error: unknown): boolean {
  const root = rootCause(error) as (KafkaJsErrorFields & { code?: number }) | undefined;
  return (root?.type !== undefined && FENCED.has(root.type)) || root?.code === 90;
}

/** The cluster could not be reached (a broker down or restarting), as opposed to a refusal. */
export function isConnectionError(error: unknown): boolean {
  const root = rootCause(error) as KafkaJsErrorFields | undefined;
  if (root?.name !== undefined && CONNECTION_ERRORS.has(root.name)) return true;
  const type = root?.type;
  return (
    type === 'COORDINATOR_NOT_AVAILABLE' ||
    type === 'COORDINATOR_LOAD_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR' ||
    type === 'LEADER_NOT_AVAILABLE' ||
    type === 'NOT_LEADER_FOR_PARTITION'
  );
}

export function isStaleMembership(error: unknown): boolean {
  const type = (rootCause(error) as KafkaJsErrorFields | undefined)?.type;
  return type !== undefined && STALE_MEMBERSHIP.has(type);
}

/** A kafkajs error as one of ours, with a one-line message saying what failed. */
export function toKafkaError(
  error: unknown,
  what: string,
  brokers: readonly string[],
  topic?: string,
): Error {
  if (error instanceof KafkaError) return error;
  const root = rootCause(error) as KafkaJsErrorFields | undefined;
  if (root?.type === 'UNKNOWN_TOPIC_OR_PARTITION' && topic !== undefined) {
    return new TopicNotFoundError(topic, brokers);
  }
  if (root?.name !== undefined && CONNECTION_ERRORS.has(root.name)) {
    return new KafkaUnreachableError(brokers, messageOf(root), error);
  }
  return new KafkaError(`${what}: ${messageOf(root)}`, error);
}
