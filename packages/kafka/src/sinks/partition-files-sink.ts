import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type OutputColumns, type OutputSink, SinkError } from '@statecraft/engine';
import type { ChunkLedger } from '../source/chunk-ledger.js';
import type { AlertTextFormat } from './alert-file-sink.js';
import { AppendFile } from './append-file.js';

/** The file of a Kafka partition's alerts in an output directory. */
export function partitionFileName(partition: number, extension: string): string {
  return `partition-${partition}.${extension}`;
}

/**
 * One alert file per Kafka partition, `dir/partition-<n>.<ext>`, each holding its partition's
 * alerts in offset order: files of the partitions a process owned, whichever process that was,
 * together hold the job's alerts. A file is opened on its partition's first alert, for appending.
 */
export class PartitionFilesSink implements OutputSink {
  private readonly files = new Map<number, Promise<AppendFile>>();
  private directory: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly extension: string,
    private readonly alerts: AlertTextFormat,
    private readonly ledger: ChunkLedger,
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

  async write(chunk: number, columns: OutputColumns): Promise<void> {
    await this.open();
    const { partition } = this.ledger.get(chunk).split;
    let file = this.files.get(partition);
    if (file === undefined) {
      file = AppendFile.open(
        join(this.dir, partitionFileName(partition, this.extension)),
        this.alerts.header(),
      );
      this.files.set(partition, file);
    }
    await (await file).append(this.alerts.format(columns));
  }

  async close(): Promise<void> {
    for (const file of this.files.values()) await (await file).close();
  }
}
