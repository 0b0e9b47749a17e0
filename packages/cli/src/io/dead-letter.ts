import { closeSync, openSync, writeSync } from 'node:fs';
import type { RejectedRecord } from '@statecraft/engine';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { describeFsError } from './open-input.js';

/**
 * Keeps rejected records, one JSON object per line: where it was (`line`, byte `offset`), why
 * (`reason`), and the record as text (`record`, invalid UTF-8 shown as U+FFFD), or for binary
 * inputs as hexadecimal bytes.
 */
export class DeadLetterFile {
  private readonly fd: number;
  private buffered: string[] = [];
  private bufferedBytes = 0;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly inputName: string,
    private readonly encoding: 'text' | 'hex' = 'text',
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new CliError(`cannot write ${path}: ${describeFsError(error)}`, ExitCode.cannotWrite);
    }
  }

  add(record: RejectedRecord): void {
    this.push(
      { input: this.inputName, line: record.line, offset: record.offset, reason: record.reason },
      record.raw,
    );
  }

  /** A rejected Kafka record: its partition and offset in place of a line and a byte offset. */
  addKafkaRecord(partition: number, offset: number, reason: string, raw: Uint8Array): void {
    this.push({ input: this.inputName, partition, offset, reason }, raw);
  }

  private push(where: Record<string, string | number>, raw: Uint8Array): void {
    const record = Buffer.from(raw).toString(this.encoding === 'hex' ? 'hex' : 'utf8');
    const line = `${JSON.stringify({ ...where, record })}\n`;
    this.buffered.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= 1 << 20) this.flush();
  }

  /** Writes what is buffered and closes the file (once; later calls do nothing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    try {
      writeSync(this.fd, this.buffered.join(''));
    } catch (error) {
      throw new CliError(`cannot write ${this.path}: ${describeFsError(error)}`, ExitCode.cannotWrite);
    }
    this.buffered = [];
    this.bufferedBytes = 0;
  }
}
