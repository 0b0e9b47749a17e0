import { KafkaError } from '../errors.js';

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new KafkaError(String(error));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
