import { ProgressSignal } from '@statecraft/engine';
import { isRetriableTrouble, KafkaError, KafkaRefusedError, KafkaUnreachableError } from '../errors.js';
import type { BrokerPool } from '../wire/broker-pool.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../wire/consumer-protocol.js';
import { ErrorCode, errorName, isCoordinatorMoved, isExpelled } from '../wire/error-codes.js';
import type { GroupCoordinator } from '../wire/group-coordinator.js';
import { type GroupGeneration, heartbeat, joinGroup, leaveGroup, syncGroup } from '../wire/group-requests.js';
import { withDeadline } from './deadline.js';
import { assignPartitions, memberProtocols, partitionCountsChanged } from './leader-assignment.js';
import { asError } from './wire-errors.js';

export interface GroupMemberOptions {
  pool: BrokerPool;
  coordinator: GroupCoordinator;
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** How long the coordinator waits for every member to rejoin in a rebalance. */
  rebalanceTimeoutMs: number;
  /** How long a member that was in the group rides out a lost cluster before it fails. */
  reconnectMs: number;
  /**
   * How often the leader reads the topics' partition counts (Java's metadata.max.age.ms): when
   * partitions were added since it assigned, it rejoins, so the group assigns the new ones.
   */
  metadataMaxAgeMs: number;
}

/** What a member tells its consumer. */
export interface MembershipEvents {
  /** The member is in a new generation of the group, with these partitions of the topic. */
  assigned(partitions: number[], memberId: string): void;
  /** The member left its generation (a rebalance, or the cluster lost): its partitions are revoked. */
  rejoining(): void;
  /** The cluster could not be reached (once per outage). */
  lost(): void;
  /** Back in the group after an outage of `afterMs`. */
  back(afterMs: number): void;
  /** The member cannot go on (a refusal, or an outage longer than reconnectMs). */
  failed(error: Error): void;
}

/** Why a stable member left its generation. */
type Leaving = 'rebalance' | 'expelled' | 'stopped';

/** A coordinator that moved is looked up again this many times in a row before that counts as trouble. */
const MOVES_IN_A_ROW = 5;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

/**
 * One member of a consumer group, by the classic protocol: joins (the two-step MEMBER_ID_REQUIRED
 * flow), lets the leader assign (range, or kafkajs's round robin when a kafkajs member is in the
 * group), syncs, then heartbeats on its own timer until the group rebalances (rejoins with its
 * member id) or expels it (rejoins with a new one). A lost cluster is retried with backoff.
 */
export class GroupMember {
  private memberId = '';
  private generation: GroupGeneration | undefined;
  /** The partition counts this member assigned from, while it leads the group's generation. */
  private assignedFrom: Map<string, number> | undefined;
  private running = false;
  private readonly wake = new ProgressSignal();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly options: GroupMemberOptions,
    private readonly events: MembershipEvents,
  ) {}

  /** The generation the member is in now; undefined while it (re)joins or the cluster is lost. */
  get current(): GroupGeneration | undefined {
    return this.generation;
  }

  /**
   * Starts the membership; resolves once the member first has its assignment. Rejects when the
   * group refuses it, or the cluster could not be reached for `startMs`.
   */
  start(startMs: number): Promise<void> {
    this.running = true;
    return new Promise((resolve, reject) => {
      this.loop = this.run(startMs, resolve, reject);
    });
  }

  /**
   * Leaves the group (LeaveGroup: it rebalances at once, not after the session timeout) and stops
   * heartbeating; the owner then closes the pool, which ends a join in flight.
   */
  async leave(timeoutMs: number): Promise<void> {
    this.running = false;
    this.wake.notify();
    const memberId = this.memberId;
    this.generation = undefined;
    if (memberId === '') return;
    const leaving = (async () => {
      const connection = await this.options.coordinator.connection(Date.now() + timeoutMs);
      await leaveGroup(connection, this.options.groupId, memberId);
    })();
    try {
      await withDeadline(leaving, timeoutMs, () => new KafkaError('no answer'));
    } catch {
      // Unreachable: the coordinator expels the member after its session timeout instead.
    }
  }

  /** Resolves once the membership loop ended (after `leave` and the pool's close). */
  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(startMs: number, started: () => void, refused: (error: Error) => void): Promise<void> {
    const startedAt = Date.now();
    let joinedOnce = false;
    let outageSince: number | undefined;
    let backoffMs = FIRST_BACKOFF_MS;
    // Stopped before the first join was done: start() must not wait for ever.
    const stoppedEarly = () => {
      if (!joinedOnce) refused(new KafkaError(`stopped before joining group ${this.options.groupId}`));
    };
    while (this.running) {
      try {
        const partitions = await this.join();
        if (outageSince !== undefined) this.events.back(Date.now() - outageSince);
        outageSince = undefined;
        backoffMs = FIRST_BACKOFF_MS;
        this.events.assigned(partitions, this.memberId);
        if (!joinedOnce) started();
        joinedOnce = true;
        const leaving = await this.heartbeatUntilOut();
        this.generation = undefined;
        if (leaving === 'stopped') return;
        if (leaving === 'expelled') this.memberId = '';
        this.events.rejoining();
      } catch (caught) {
        if (!this.running) {
          stoppedEarly();
          return;
        }
        const error = asError(caught);
        const wasIn = this.generation !== undefined;
        this.generation = undefined;
        if (!isRetriableTrouble(error)) {
          this.running = false;
          if (joinedOnce) this.events.failed(error);
          else refused(error);
          return;
        }
        this.options.coordinator.broken();
        const now = Date.now();
        if (!joinedOnce) {
          if (now - startedAt >= startMs) {
            this.running = false;
            refused(unreachable(this.options, `cannot join group ${this.options.groupId}`, error));
            return;
          }
        } else {
          if (outageSince === undefined) {
            outageSince = now;
            this.events.lost();
          }
          if (wasIn) this.events.rejoining();
          if (now - outageSince >= this.options.reconnectMs) {
            this.running = false;
            const seconds = Math.round((now - outageSince) / 1000);
            this.events.failed(
              unreachable(this.options, `lost group ${this.options.groupId} for ${seconds} s`, error),
            );
            return;
          }
        }
        await this.wake.wait(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
    stoppedEarly();
  }

  /** Joins and syncs until the member is in a generation; resolves with its partitions of the topic. */
  private async join(): Promise<number[]> {
    const { coordinator, groupId, topic, sessionTimeoutMs, rebalanceTimeoutMs } = this.options;
    const protocols = memberProtocols(topic);
    let moves = 0;
    while (this.running) {
      const connection = await coordinator.connection(Date.now() + sessionTimeoutMs);
      const joined = await this.bounded(
        joinGroup(connection, {
          groupId,
          memberId: this.memberId,
          sessionTimeoutMs,
          rebalanceTimeoutMs,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols,
        }),
        rebalanceTimeoutMs + 5000,
        'JoinGroup',
      );
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        continue;
      }
      if (joined.errorCode === ErrorCode.NONE) {
        this.memberId = joined.memberId;
        const generation = { groupId, generationId: joined.generationId, memberId: joined.memberId };
        const leading =
          joined.leader === joined.memberId
            ? await assignPartitions(this.options.pool, joined, groupId, topic)
            : undefined;
        this.assignedFrom = leading?.partitionCounts;
        const assignments = leading?.assignments ?? [];
        const synced = await this.bounded(
          syncGroup(
            connection,
            generation,
            CONSUMER_PROTOCOL_TYPE,
            joined.protocolName ?? '',
            assignments,
            rebalanceTimeoutMs,
          ),
          rebalanceTimeoutMs + 5000,
          'SyncGroup',
        );
        if (synced.errorCode === ErrorCode.NONE) {
          this.generation = generation;
          return (decodeAssignment(synced.assignment).get(topic) ?? []).sort((a, b) => a - b);
        }
        moves = await this.retryJoin(synced.errorCode, 'sync with', moves);
        continue;
      }
      moves = await this.retryJoin(joined.errorCode, 'join', moves);
    }
    throw new KafkaError(`stopped joining group ${groupId}`);
  }

  /** Acts on a JoinGroup or SyncGroup error before the next try; returns the coordinator moves in a row. */
  private async retryJoin(errorCode: number, what: string, moves: number): Promise<number> {
    if (isExpelled(errorCode)) {
      this.memberId = '';
      return moves;
    }
    if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return moves;
    const reason = `cannot ${what} group ${this.options.groupId}: ${errorName(errorCode)}`;
    if (!isCoordinatorMoved(errorCode)) throw new KafkaRefusedError(reason, errorCode);
    this.options.coordinator.moved();
    if (moves >= MOVES_IN_A_ROW) throw new KafkaError(reason);
    await this.wake.wait(FIRST_BACKOFF_MS * 2 ** moves);
    return moves + 1;
  }

  /** Heartbeats every heartbeatIntervalMs until the member must rejoin (or stops). */
  private async heartbeatUntilOut(): Promise<Leaving> {
    const { coordinator, heartbeatIntervalMs, sessionTimeoutMs, groupId, metadataMaxAgeMs } = this.options;
    let moves = 0;
    let metadataReadAt = Date.now();
    for (;;) {
      await this.wake.wait(heartbeatIntervalMs);
      const generation = this.generation;
      if (!this.running || generation === undefined) return 'stopped';
      if (this.assignedFrom !== undefined && Date.now() - metadataReadAt >= metadataMaxAgeMs) {
        metadataReadAt = Date.now();
        // A leader that rejoins makes the coordinator rebalance the group (Java's consumer does so).
        if (await partitionCountsChanged(this.options.pool, this.assignedFrom)) return 'rebalance';
        if (!this.running || this.generation !== generation) return 'stopped';
      }
      const connection = await coordinator.connection(Date.now() + sessionTimeoutMs);
      const errorCode = await this.bounded(heartbeat(connection, generation), sessionTimeoutMs, 'Heartbeat');
      if (errorCode === ErrorCode.NONE) {
        moves = 0;
        continue;
      }
      if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return 'rebalance';
      if (isExpelled(errorCode)) return 'expelled';
      const reason = `cannot heartbeat in group ${groupId}: ${errorName(errorCode)}`;
      if (!isCoordinatorMoved(errorCode)) throw new KafkaRefusedError(reason, errorCode);
      coordinator.moved();
      if (++moves > MOVES_IN_A_ROW) throw new KafkaError(reason);
    }
  }

  /** A coordinator request that fails (and drops the connection) when no answer comes in `ms`. */
  private bounded<T>(request: Promise<T>, ms: number, what: string): Promise<T> {
    return withDeadline(request, ms, () => {
      this.options.coordinator.broken();
      return new KafkaError(`${what} of group ${this.options.groupId}: no answer within ${ms} ms`);
    });
  }
}

function unreachable(options: GroupMemberOptions, what: string, error: Error): KafkaUnreachableError {
  const { brokers } = options.pool.options;
  // The pool's own KafkaUnreachableError already names the brokers: say so once.
  const reason = error.message.replace(`cannot reach Kafka at ${brokers.join(',')}: `, '');
  return new KafkaUnreachableError(brokers, `${what}: ${reason}`, error);
}
