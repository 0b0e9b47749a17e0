import { KafkaError, withDeadline } from '@statecraft/kafka';

/**
 * Bounds a command's start-up (reaching the cluster, reading metadata and offsets, joining the
 * group) by --kafka-timeout: past it, one line says what was being waited for.
 */
export class StartUp {
  private phase = 'reach';

  constructor(
    private readonly brokers: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  /** Names what the next steps wait for, for the timeout's message. */
  waitingFor(phase: string): void {
    this.phase = phase;
  }

  run<T>(work: Promise<T>): Promise<T> {
    const seconds = this.timeoutMs / 1000;
    return withDeadline(
      work,
      this.timeoutMs,
      () =>
        new KafkaError(
          `cannot ${this.phase} Kafka at ${this.brokers.join(',')}: no answer within ${seconds} s (--kafka-timeout)`,
        ),
    );
  }
}
