import { KafkaError, KafkaRefusedError } from '../errors.js';
import type { BrokerConnection } from './broker-connection.js';
import type { BrokerPool } from './broker-pool.js';
import { describeError, ErrorCode, isCoordinatorMoved } from './error-codes.js';
import { CoordinatorType, findCoordinator } from './find-coordinator.js';

/** Pauses between coordinator lookups while none is ready (a cluster starting): 50 ms doubling to 1 s. */
const FIRST_PAUSE_MS = 50;
const MAX_PAUSE_MS = 1000;

/**
 * Where a consumer group's coordinator is: looked up (FindCoordinator) on first use and again once
 * it moved; while the cluster has none ready (COORDINATOR_NOT_AVAILABLE, LOAD_IN_PROGRESS) the
 * lookup is repeated until `deadline`.
 */
export class GroupCoordinator {
  private node: number | undefined;

  constructor(
    private readonly pool: BrokerPool,
    readonly groupId: string,
  ) {}

  /** A connection to the coordinator; rejects when none was found by `deadline` (a time in ms) or the cluster cannot be reached. */
  async connection(deadline: number): Promise<BrokerConnection> {
    for (
      let pauseMs = FIRST_PAUSE_MS;
      this.node === undefined;
      pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS)
    ) {
      const found = await findCoordinator(
        await this.pool.bootstrapConnection(),
        this.groupId,
        CoordinatorType.GROUP,
      );
      if (found.errorCode === ErrorCode.NONE) {
        this.pool.learn(found.node, { host: found.host, port: found.port });
        this.node = found.node;
        break;
      }
      const reason = describeError(found.errorCode, found.errorMessage);
      const what = `cannot find the coordinator of group ${this.groupId}: ${reason}`;
      if (!isCoordinatorMoved(found.errorCode)) throw new KafkaRefusedError(what, found.errorCode);
      if (Date.now() + pauseMs > deadline) throw new KafkaError(what);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    try {
      return await this.pool.connection(this.node);
    } catch (error) {
      this.node = undefined;
      throw error;
    }
  }

  /** The coordinator answered that it is not (or not yet) the group's: look it up again next time. */
  moved(): void {
    this.node = undefined;
  }

  /** The coordinator's connection failed or hung: closed, and the coordinator looked up again next time. */
  broken(): void {
    if (this.node !== undefined) this.pool.forget(this.node);
    this.node = undefined;
  }
}
