import { INPUT_FORMATS, type InputFormat, isInputFormat } from '@statecraft/engine';
import { usageError } from '../cli-error.js';
import { integerFlag } from '../options.js';
import { DEFAULT_CLIENT_ID, DEFAULT_KAFKA_TIMEOUT_MS, DEFAULT_SESSION_TIMEOUT_MS } from './kafka-options.js';

// The Kafka flags' values checked: usage errors (exit 2) for what yargs lets through.

/** `--brokers a:9092,b:9092` as a list; a malformed entry is a usage error. */
export function brokerList(value: string | undefined): string[] {
  const brokers = (value ?? '').split(',').map((broker) => broker.trim());
  if (brokers.some((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker))) {
    throw usageError(`--brokers must be host:port[,host:port...], got ${value}`);
  }
  return brokers;
}

export function requiredFlag(name: string, value: string | undefined, context: string): string {
  if (value === undefined || value === '') throw usageError(`${context} needs --${name}`);
  return value;
}

export function kafkaFormat(value: string | undefined): InputFormat {
  const format = value ?? 'flink-binary';
  if (!isInputFormat(format)) {
    throw usageError(`--kafka-format ${format} is not supported (supported: ${INPUT_FORMATS.join(', ')})`);
  }
  return format;
}

export function kafkaTimeoutMs(value: number | undefined): number {
  return integerFlag('kafka-timeout', value ?? DEFAULT_KAFKA_TIMEOUT_MS, 100, 3_600_000);
}

export function sessionTimeoutMs(value: number | undefined): number {
  return integerFlag('kafka-session-timeout', value ?? DEFAULT_SESSION_TIMEOUT_MS, 1000, 3_600_000);
}

export function clientId(value: string | undefined): string {
  return value === undefined || value === '' ? DEFAULT_CLIENT_ID : value;
}
