import { withDeadline } from '../client/deadline.js';
import { KafkaError } from '../errors.js';

/** Start-up did not finish within its time limit: one line says what was being waited for. */
export class KafkaStartTimeoutError extends KafkaError {
  constructor(
    phase: string,
    brokers: readonly string[],
    readonly timeoutMs: number,
    /** What sets the limit, named after it in the message (a flag, say). */
    limitName?: string,
  ) {
    super(
      `cannot ${phase} Kafka at ${brokers.join(',')}: no answer within ${timeoutMs / 1000} s${limitName === undefined ? '' : ` (${limitName})`}`,
      undefined,
      'KAFKA_START_TIMEOUT',
    );
  }
}

/**
 * Bounds a job's start-up (reaching the cluster, reading metadata and offsets, joining the group)
 * by a time limit, naming the step that did not finish.
 */
export class StartUp {
  private phase = 'reach';

  constructor(
    private readonly brokers: readonly string[],
    private readonly timeoutMs: number,
    private readonly limitName?: string,
  ) {}

  /** Names what the next steps wait for, for the timeout's message. */
  waitingFor(phase: string): void {
    this.phase = phase;
  }

  run<T>(work: Promise<T>): Promise<T> {
    return withDeadline(
      work,
      this.timeoutMs,
      () => new KafkaStartTimeoutError(this.phase, this.brokers, this.timeoutMs, this.limitName),
    );
  }
}
