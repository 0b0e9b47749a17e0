import { ProgressSignal } from '@statecraft/engine';
import type { FetchedBatch } from '../client/client.js';
import { KafkaError, TopicNotFoundError } from '../errors.js';
import { BrokerPool } from './broker-pool.js';
import { ErrorCode, errorName, isRetriable } from './error-codes.js';
import { type FetchedPartition, type FetchOptions, fetchRecords } from './fetch.js';
import type { RecordRun } from './record-batch-decoder.js';

export interface PartitionFetcherOptions extends FetchOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  topic: string;
  /** Bound on opening a connection, in ms. */
  timeoutMs: number;
  /** How long fetching may fail in a row (a broker restarting) before the fetcher gives up, in ms. */
  troubleMs: number;
  /** Where partitions without a position start: the group's committed offset, else the policy's end of the log. */
  startPositions(partitions: readonly number[]): Promise<Map<number, number>>;
  /** Where a partition whose position fell out of the log goes (its first or its next offset). */
  resetPosition(partition: number): Promise<number>;
}

/** Hands a fetched batch over; resolves once the fetcher may fetch the partition on (backpressure). */
export type BatchHandler = (batch: FetchedBatch) => Promise<void>;

/** A partition's position as a fetch asked for it, and the assignment's state it was asked for. */
interface AskedPosition {
  partition: number;
  offset: number;
  seeks: number;
  state: PartitionState;
}

interface PartitionState {
  /** The next offset to fetch; -1 while unknown. */
  position: number;
  paused: boolean;
  /** Bumped by every seek: a fetch started before it does not move the position. */
  seeks: number;
}

/**
 * Statecraft's own fetch loop over a consumer group member's partitions: Fetch requests to each
 * partition's leader (read_committed), decoded into columns without an object per record, handed
 * over one partition batch at a time. The group membership (assignment, heartbeats, commits) is
 * the client library's; this reads what the member was given.
 */
export class PartitionFetcher {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly changed = new ProgressSignal();
  private leaders = new Map<number, number>();
  private readonly pool: BrokerPool;
  private running = false;
  private loop: Promise<void> | undefined;
  private troubleSince = 0;

  constructor(private readonly options: PartitionFetcherOptions) {
    this.pool = new BrokerPool(options);
  }

  /** Starts fetching, handing batches to `handle`; `failed` is told when the loop cannot go on. */
  start(handle: BatchHandler, failed: (error: Error) => void): void {
    this.running = true;
    this.loop = this.run(handle).catch((error: unknown) => {
      if (this.running) failed(error instanceof Error ? error : new KafkaError(String(error)));
    });
  }

  /**
   * The member's partitions now. Every one starts over at its start position (or a seek): a
   * member that rejoined may have lost partitions that others read meanwhile.
   */
  assign(partitions: readonly number[]): void {
    this.partitions.clear();
    for (const partition of partitions)
      this.partitions.set(partition, { position: -1, paused: false, seeks: 0 });
    this.changed.notify();
  }

  /** Forgets every partition (a rebalance began: the assignment is being redone). */
  revokeAll(): void {
    this.partitions.clear();
    this.changed.notify();
  }

  seek(partition: number, offset: number): void {
    const state = this.partitions.get(partition);
    if (state === undefined) return;
    state.position = offset;
    state.seeks++;
    this.changed.notify();
  }

  pause(partitions: readonly number[]): void {
    for (const partition of partitions) {
      const state = this.partitions.get(partition);
      if (state) state.paused = true;
    }
  }

  resume(partitions: readonly number[]): void {
    for (const partition of partitions) {
      const state = this.partitions.get(partition);
      if (state) state.paused = false;
    }
    this.changed.notify();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.changed.notify();
    await this.loop;
    await this.pool.close();
  }

  private async run(handle: BatchHandler): Promise<void> {
    while (this.running) {
      try {
        await this.resolvePositions();
      } catch (error) {
        if (error instanceof TopicNotFoundError) throw error;
        // The group's offsets could not be read (a broker restarting): ask again shortly.
        this.trouble(error as Error);
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      const byLeader = new Map<number, AskedPosition[]>();
      for (const [partition, state] of this.partitions) {
        if (state.paused || state.position < 0) continue;
        const leader = this.leaders.get(partition) ?? -1;
        const list = byLeader.get(leader) ?? [];
        list.push({ partition, offset: state.position, seeks: state.seeks, state });
        byLeader.set(leader, list);
      }
      if (byLeader.size === 0) {
        await this.changed.wait(100);
        continue;
      }
      if (byLeader.has(-1)) {
        await this.refreshMetadata();
        continue;
      }
      const responses = await Promise.all(
        [...byLeader].map(async ([leader, positions]) => {
          try {
            const connection = await this.pool.connection(leader);
            const fetched = await fetchRecords(connection, this.options.topic, positions, this.options);
            return { leader, positions, fetched };
          } catch (error) {
            this.pool.forget(leader);
            this.leaders.clear();
            this.trouble(error as Error);
            return { leader, positions, fetched: [] as FetchedPartition[] };
          }
        }),
      );
      let stale = false;
      for (const { positions, fetched } of responses) {
        for (const result of fetched) {
          if (!this.running) return;
          const asked = positions.find((p) => p.partition === result.partition);
          const state = this.partitions.get(result.partition);
          // Revoked (or revoked and assigned again: a new state), paused or moved by a seek while
          // the fetch was out: this batch is not wanted.
          if (
            asked === undefined ||
            state === undefined ||
            state !== asked.state ||
            state.paused ||
            state.seeks !== asked.seeks
          )
            continue;
          if (result.errorCode !== ErrorCode.NONE) {
            stale = (await this.partitionError(result, state)) || stale;
            continue;
          }
          this.troubleSince = 0;
          const { records } = result;
          if (records.lastOffset < asked.offset) continue;
          await handle({ partition: result.partition, ...recordsFrom(records, asked.offset) });
          if (this.partitions.get(result.partition) === state && state.seeks === asked.seeks) {
            state.position = records.lastOffset + 1;
          }
        }
      }
      if (stale) await this.refreshMetadata();
    }
  }

  /** Acts on a partition's fetch error; true when the leaders should be looked up again. */
  private async partitionError(result: FetchedPartition, state: PartitionState): Promise<boolean> {
    if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      state.position = await this.options.resetPosition(result.partition);
      return false;
    }
    if (isRetriable(result.errorCode)) {
      this.trouble(new KafkaError(`partition ${result.partition}: ${errorName(result.errorCode)}`));
      return true;
    }
    throw new KafkaError(
      `cannot fetch topic ${this.options.topic}, partition ${result.partition}: ${errorName(result.errorCode)}`,
    );
  }

  /** A retriable failure: fine for up to troubleMs in a row, then the fetcher gives up. */
  private trouble(error: Error): void {
    const now = Date.now();
    if (this.troubleSince === 0) this.troubleSince = now;
    else if (now - this.troubleSince > this.options.troubleMs) {
      throw new KafkaError(
        `cannot fetch topic ${this.options.topic} for ${Math.round((now - this.troubleSince) / 1000)} s: ${error.message}`,
        error,
      );
    }
  }

  private async resolvePositions(): Promise<void> {
    const unknown = [...this.partitions]
      .filter(([, state]) => state.position < 0)
      .map(([partition]) => partition);
    if (unknown.length === 0) return;
    const seeks = new Map(unknown.map((partition) => [partition, this.partitions.get(partition)!.seeks]));
    const positions = await this.options.startPositions(unknown);
    for (const [partition, offset] of positions) {
      const state = this.partitions.get(partition);
      // A seek (a checkpoint's offset) that came meanwhile wins.
      if (state !== undefined && state.seeks === seeks.get(partition) && state.position < 0)
        state.position = offset;
    }
  }

  private async refreshMetadata(): Promise<void> {
    try {
      const metadata = await this.pool.metadata([this.options.topic]);
      const topic = metadata.topics.find((t) => t.name === this.options.topic);
      if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new TopicNotFoundError(this.options.topic, this.options.brokers);
      }
      this.leaders = new Map(topic.partitions.map((p) => [p.partition, p.leader]));
    } catch (error) {
      if (error instanceof TopicNotFoundError) throw error;
      this.trouble(error as Error);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The run's records at or past `offset`. A fetch returns whole record batches, so the first may
 * begin before the position asked for: those records were read already, or lie before the
 * group's committed offset, and are left out (as Java's consumer does). Views, no copy.
 */
function recordsFrom(run: RecordRun, offset: number): RecordRun {
  let skip = 0;
  while (skip < run.count && run.offsets[skip]! < offset) skip++;
  if (skip === 0) return run;
  return {
    ...run,
    count: run.count - skip,
    offsets: run.offsets.subarray(skip),
    valueStarts: run.valueStarts.subarray(skip),
    valueEnds: run.valueEnds.subarray(skip),
  };
}
