import { ProgressSignal, type ScopedBatch, type SequentialItem, type StateCommand } from '@statecraft/engine';
import type { PartitionCheckpointer } from '../checkpoint/partition-checkpointer.js';
import type { FetchedBatch, GroupListener } from '../client/client.js';
import { BatchDecoder, type DecodedChunk } from '../codec/batch-decoder.js';
import { KafkaError } from '../errors.js';
import { ChunkLedger } from './chunk-ledger.js';
import { GroupMembership } from './group-membership.js';
import type { KafkaSourceOptions } from './kafka-source-options.js';
import { OffsetCommitter } from './offset-committer.js';
import { PartitionAssignment, type PartitionStats } from './partition-assignment.js';
import type { PartitionSplit } from './partition-split.js';

/** With checkpoints, a partition that read something and then went quiet this long is checkpointed. */
const IDLE_CHECKPOINT_MS = 500;

type Queued = { split: PartitionSplit; chunk: DecodedChunk } | { command: StateCommand };

/**
 * A consumer group's share of a topic as the engine's chunk stream: each fetched batch of an
 * assigned partition (a split) is decoded into one columnar chunk. Chunks of one partition keep
 * offset order, and every event of an address is in one partition, so per-address order holds.
 * Each partition's state is a scope of its own (see StateCommand): it can move to another member.
 *
 * Rebalances are handled while running: a newly assigned partition gets a split that starts at
 * its checkpoint (state restored) or else the group's committed offset; a revoked partition's
 * queued chunks and state are dropped, and the chunks the engine already holds are finished but
 * neither committed nor written to the partition's file, so the next owner replays them. Offsets
 * are committed explicitly: once a chunk's outputs are written (`chunkWritten`, called by the
 * job's sink), or with checkpoints once a checkpoint covering them is durable.
 */
export class KafkaSource implements AsyncIterable<SequentialItem> {
  readonly ledger: ChunkLedger;
  readonly membership: GroupMembership;
  private readonly assignment: PartitionAssignment;
  private readonly committer: OffsetCommitter;
  private readonly decoder: BatchDecoder;
  private readonly queue: Queued[] = [];
  private readonly changed = new ProgressSignal();
  private readonly maxQueued: number;
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly options: KafkaSourceOptions) {
    this.maxQueued = options.maxQueuedChunks ?? 4;
    this.membership = options.membership ?? new GroupMembership();
    this.ledger = options.ledger ?? new ChunkLedger();
    this.assignment = new PartitionAssignment(options.endOffsets);
    this.decoder = new BatchDecoder(options.format ?? 'flink-binary', options.eventNames, (record) =>
      options.onReject?.(record),
    );
    this.committer = new OffsetCommitter(
      options.consumer,
      () => this.assignment.current(),
      (error) => this.fail(error),
      options.commitIntervalMs,
      // The group moved on: until the member knows its new assignment, nothing may be written.
      this.membership,
    );
  }

  /** Joins the group and starts fetching; resolves after the first assignment. */
  async start(): Promise<void> {
    await this.options.consumer.start(this.listener());
    if (this.failure !== undefined) throw this.failure;
  }

  /** Ends the stream (a bounded run is complete): no more chunks are handed out. */
  finish(): void {
    this.close();
  }

  /** Fails the stream: the engine's next read throws `error`. */
  fail(error: unknown): void {
    this.failure ??=
      error instanceof Error ? error : new KafkaError(`the Kafka source failed: ${String(error)}`);
    this.membership.leave();
    this.close();
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** The partitions assigned to this member now. */
  get assigned(): number[] {
    return this.assignment.partitions;
  }

  /** Records rejected so far, by reason. */
  get rejects() {
    return this.decoder.rejects.nonZero();
  }

  /** Partitions this member has read, with what each contributed. */
  get partitionStats(): PartitionStats[] {
    return this.assignment.stats;
  }

  /** The job's sink calls this once chunk `chunk`'s outputs are all written. */
  chunkWritten(chunk: number): void {
    const { split, nextOffset } = this.ledger.take(chunk);
    const { checkpoints } = this.options;
    if (checkpoints !== undefined) {
      checkpoints.chunkWritten(chunk);
      return;
    }
    if (!split.owned) return;
    split.writtenOffset = nextOffset;
    this.committer.schedule();
  }

  /** Resolves once every checkpoint asked for so far is written (or skipped). */
  async checkpointsWritten(): Promise<void> {
    await this.options.checkpoints?.drain();
  }

  /** Writes the checkpoints asked for and commits every offset due; call once the job is done, before the consumer stops. */
  async drain(): Promise<void> {
    await this.checkpointsWritten();
    await this.committer.drain();
    if (this.failure !== undefined) throw this.failure;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SequentialItem> {
    const { signal, checkpoints } = this.options;
    const onAbort = () => this.close();
    if (signal?.aborted) this.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure;
        const next = this.queue.shift();
        if (next !== undefined) {
          this.changed.notify();
          if ('command' in next) {
            yield next.command;
            continue;
          }
          const { split } = next;
          // Revoked while it waited: the partition's next owner reads these records.
          if (!split.owned) continue;
          const { batch, offsets, nextOffset } = next.chunk;
          const chunk = this.ledger.add({ split, offsets, nextOffset });
          split.handedOffset = nextOffset;
          split.handedEvents += batch.count;
          const scoped: ScopedBatch = batch;
          scoped.scope = split.partition;
          yield scoped;
          if (checkpoints?.due(split, batch.count)) yield this.barrier(split, chunk);
          continue;
        }
        if (this.closed) {
          // The last checkpoints: what was read is committed before the member leaves.
          yield* this.progressBarriers(0);
          return;
        }
        if (checkpoints === undefined) {
          await this.changed.wait();
          continue;
        }
        await this.changed.wait(IDLE_CHECKPOINT_MS);
        if (this.queue.length === 0) yield* this.progressBarriers(IDLE_CHECKPOINT_MS);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.close();
    }
  }

  /** Checkpoints of the splits that read something since their last one, quiet for `idleMs` or longer. */
  private *progressBarriers(idleMs: number): Generator<StateCommand> {
    const { checkpoints } = this.options;
    if (checkpoints === undefined) return;
    for (const split of this.assignment.current()) {
      if (checkpoints.hasProgress(split, idleMs)) yield this.barrier(split, this.ledger.last);
    }
  }

  /** A checkpoint of `split` after chunk `afterChunk`; its offset is committed once it is durable. */
  private barrier(split: PartitionSplit, afterChunk: number): StateCommand {
    const { command, durable } = this.options.checkpoints!.barrier(split, afterChunk);
    durable.then(
      (offset) => {
        if (offset === undefined || !split.owned) return;
        split.writtenOffset = offset;
        this.committer.schedule();
      },
      (error: unknown) => this.fail(error),
    );
    return command;
  }

  private close(): void {
    if (!this.closed) {
      this.closed = true;
      this.options.consumer.pause(this.assignment.partitions);
    }
    this.changed.notify();
  }

  private listener(): GroupListener {
    return {
      batch: (batch, heartbeat) => this.take(batch, heartbeat),
      assigned: (partitions, memberId) => this.assign(partitions, memberId),
      rebalancing: () => {
        this.membership.begin();
        this.committer.pause();
      },
      failed: (error) => this.fail(error),
    };
  }

  private async take(fetched: FetchedBatch, heartbeat: () => Promise<void>): Promise<void> {
    // The split the batch was fetched for: if the partition is revoked while the batch waits (and
    // perhaps assigned again, to a new split that starts at the group's committed offset), the
    // batch belongs to no split any more.
    const split = this.assignment.get(fetched.partition);
    if (split === undefined) return;
    if (split.ready !== undefined) await split.ready;
    while (!this.closed && split.owned && this.queue.length >= this.maxQueued) {
      await this.changed.wait(this.options.heartbeatIntervalMs);
      // Throws when the group rebalances: the consumer rejoins and fetches this batch again.
      if (!this.closed && this.queue.length >= this.maxQueued) {
        try {
          await heartbeat();
        } catch (error) {
          // A rebalance (the membership knows: it began then, and may be over by now). Writes in
          // flight finish first, so none lands after a new owner has cut a partition's file back.
          await this.membership.writesSettled();
          throw error;
        }
      }
    }
    if (this.closed || !split.owned) return;
    let chunk: DecodedChunk | undefined;
    try {
      chunk = this.decoder.decode(split.partition, fetched, Math.max(split.nextOffset, 0), split.endOffset);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (chunk !== undefined) {
      split.nextOffset = chunk.nextOffset;
      split.events += chunk.batch.count;
      split.records += chunk.records;
      this.queue.push({ split, chunk });
      this.changed.notify();
    }
    if (split.taken) this.options.consumer.pause([split.partition]);
  }

  private assign(partitions: readonly number[], memberId?: string): void {
    const { revoked, added } = this.assignment.apply(partitions, memberId);
    // A revoked partition's state goes with it; the chunks the engine holds still apply to it, before this.
    for (const partition of revoked) this.queue.push({ command: { command: 'drop', scope: partition } });
    const { checkpoints } = this.options;
    if (checkpoints !== undefined) for (const split of added) split.ready = this.takeOver(split, checkpoints);
    this.membership.end();
    this.changed.notify();
    if (this.closed) this.options.consumer.pause(partitions);
    else this.options.consumer.resume(added.map((split) => split.partition));
    this.committer.resume();
  }

  /** Restores a newly assigned partition from its checkpoint before any of its records are read. */
  private async takeOver(split: PartitionSplit, checkpoints: PartitionCheckpointer): Promise<void> {
    try {
      const takeover = await checkpoints.takeOver(split);
      if (takeover === undefined || !split.owned) return;
      const { offset } = takeover.checkpoint;
      this.queue.push({ command: takeover.restore });
      this.changed.notify();
      split.nextOffset = offset;
      split.handedOffset = offset;
      // The checkpoint is durable: its offset may be committed now (the group may lag behind it).
      split.writtenOffset = offset;
      this.options.consumer.seek(split.partition, offset);
      this.committer.schedule();
    } catch (error) {
      this.fail(error);
    }
  }
}
