import { KafkaRefusedError } from '../errors.js';
import type { BrokerConnection } from '../wire/broker-connection.js';
import type { BrokerPool } from '../wire/broker-pool.js';
import { describeError, errorName, isCoordinatorMoved } from '../wire/error-codes.js';
import { type CoordinatorType, findCoordinator } from '../wire/find-coordinator.js';
import { overNetwork, TryAgain } from './wire-retry.js';

/**
 * Requests to the coordinator of one transactional id or group: found (FindCoordinator) on first
 * use, and again once it moved or its connection was lost. Failures that may pass are TryAgain,
 * for the caller's retry loop.
 */
export class CoordinatorLink {
  private node: number | undefined;

  constructor(
    private readonly pool: BrokerPool,
    private readonly key: string,
    private readonly type: CoordinatorType,
    /** What the key is, for messages: `transactional id x`, `group g`. */
    private readonly described: string,
  ) {}

  /** Sends a request to the coordinator; its answer is the caller's to check. */
  async request<T>(send: (connection: BrokerConnection) => Promise<T>): Promise<T> {
    const node = await this.find();
    return overNetwork(
      async () => send(await this.pool.connection(node)),
      () => {
        this.pool.forget(node);
        this.node = undefined;
      },
    );
  }

  /** The coordinator answered that it is not (or not yet) the one: find it again. */
  moved(errorCode: number): TryAgain {
    this.node = undefined;
    return new TryAgain(`the coordinator of ${this.described}: ${errorName(errorCode)}`, false);
  }

  private async find(): Promise<number> {
    if (this.node !== undefined) return this.node;
    const found = await overNetwork(
      async () => findCoordinator(await this.pool.bootstrapConnection(), this.key, this.type),
      () => undefined,
    );
    if (found.errorCode !== 0) {
      if (isCoordinatorMoved(found.errorCode)) throw this.moved(found.errorCode);
      throw new KafkaRefusedError(
        `cannot find the coordinator of ${this.described}: ${describeError(found.errorCode, found.errorMessage)}`,
        found.errorCode,
      );
    }
    this.pool.learn(found.node, { host: found.host, port: found.port });
    this.node = found.node;
    return found.node;
  }
}
