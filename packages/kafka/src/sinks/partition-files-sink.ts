import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type OutputColumns, type OutputSink, SinkError } from '@statecraft/engine';
import type { ChunkLedger } from '../source/chunk-ledger.js';
import type { GroupMembership } from '../source/group-membership.js';
import type { AlertTextFormat } from './alert-file-sink.js';
import { AppendFile } from './append-file.js';

/** The file of a Kafka partition's alerts in an output directory. */
export function partitionFileName(partition: number, extension: string): string {
  return `partition-${partition}.${extension}`;
}

/**
 * What partition checkpoints need of the per-partition alert files: cutting a file back to its
 * checkpointed length when the partition is taken over, its length now, and making it durable.
 */
export interface PartitionOutputs {
  /**
   * Before the partition's first alert: cut its file to `length` bytes (undefined: keep it whole).
   * Resolves with the file's length before and after.
   */
  prepare(partition: number, length: number | undefined): Promise<{ from: number; to: number }>;
  /** Bytes in the partition's file now (0 before it is opened). */
  length(partition: number): number;
  /** Bytes in the partition's file on disk (0 when there is none), before `prepare`. */
  lengthOnDisk(partition: number): Promise<number>;
  sync(partition: number): Promise<void>;
}

/**
 * One alert file per Kafka partition, `dir/partition-<n>.<ext>`, each holding its partition's
 * alerts in offset order: files of the partitions a process owned, whichever process that was,
 * together hold the job's alerts. A file is opened on its partition's first alert (or when the
 * partition is taken over from a checkpoint), for appending. Nothing is written for a partition
 * this member no longer owns, nor while a rebalance may be moving it (see GroupMembership).
 */
export class PartitionFilesSink implements OutputSink, PartitionOutputs {
  private readonly files = new Map<number, Promise<AppendFile>>();
  private readonly opened = new Map<number, AppendFile>();
  private directory: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly extension: string,
    private readonly alerts: AlertTextFormat,
    private readonly ledger: ChunkLedger,
    private readonly membership: GroupMembership,
  ) {}

  /** Creates the directory (at the latest on the first write); call it early to fail before the job starts. */
  open(): Promise<void> {
    this.directory ??= mkdir(this.dir, { recursive: true }).then(
      () => undefined,
      (error: unknown) => {
        throw new SinkError(`cannot create ${this.dir}: ${(error as Error).message}`, error);
      },
    );
    return this.directory;
  }

  async prepare(partition: number, length: number | undefined): Promise<{ from: number; to: number }> {
    await this.open();
    // A partition taken over again: what this process had open is stale.
    const earlier = this.files.get(partition);
    this.files.delete(partition);
    this.opened.delete(partition);
    if (earlier !== undefined) await (await earlier).close();
    const file = await this.file(partition, length);
    return { from: file.foundLength, to: file.length };
  }

  length(partition: number): number {
    return this.opened.get(partition)?.length ?? 0;
  }

  async lengthOnDisk(partition: number): Promise<number> {
    try {
      return (await stat(this.pathOf(partition))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw new SinkError(`cannot read ${this.pathOf(partition)}: ${(error as Error).message}`, error);
    }
  }

  async sync(partition: number): Promise<void> {
    await this.opened.get(partition)?.sync();
  }

  async write(chunk: number, columns: OutputColumns): Promise<void> {
    const { split } = this.ledger.get(chunk);
    if (!(await this.membership.owns(split))) return;
    await this.open();
    const file = await this.file(split.partition);
    await this.membership.track(file.append(this.alerts.format(columns)));
  }

  async close(): Promise<void> {
    for (const file of this.files.values()) await (await file).close();
  }

  private pathOf(partition: number): string {
    return join(this.dir, partitionFileName(partition, this.extension));
  }

  private file(partition: number, length?: number): Promise<AppendFile> {
    let file = this.files.get(partition);
    if (file === undefined) {
      file = AppendFile.open(this.pathOf(partition), this.alerts.header(), length).then((opened) => {
        this.opened.set(partition, opened);
        return opened;
      });
      this.files.set(partition, file);
    }
    return file;
  }
}
