import type { OutputColumns, OutputSink } from '@statecraft/engine';
import { AppendFile } from './append-file.js';

export interface AlertTextFormat {
  /** A chunk's alerts as lines, each ending in a newline. */
  format(columns: OutputColumns): string;
  /** Written once at the top of an empty file (a CSV header), or ''. */
  header(): string;
}

/** All of a job's alerts appended to one file (see AppendFile). */
export class AlertFileSink implements OutputSink {
  private file: AppendFile | undefined;

  constructor(
    private readonly path: string,
    private readonly alerts: AlertTextFormat,
  ) {}

  /** Opens the file now, so that an unwritable path fails before the job starts. */
  async open(): Promise<void> {
    this.file ??= await AppendFile.open(this.path, this.alerts.header());
  }

  async write(_chunk: number, columns: OutputColumns): Promise<void> {
    await this.open();
    await this.file!.append(this.alerts.format(columns));
  }

  async close(): Promise<void> {
    await this.open();
    await this.file!.close();
  }
}
