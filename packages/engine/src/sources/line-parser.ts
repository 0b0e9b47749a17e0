import type { EventBatch } from '../batch.js';
import { CR, NEWLINE } from './ascii.js';
import type { EventLookup } from './event-lookup.js';
import type { RecordParser } from './record-format.js';
import { copyOfBytes, type RejectLedger, type RejectReason } from './reject.js';

/** Longer lines are rejected as `line-too-long` (and not buffered whole by streaming sources). */
export const MAX_LINE_BYTES = 64 * 1024;
/** A rejected record keeps at most this many bytes of itself. */
export const MAX_REJECT_BYTES = 1024;

/**
 * The part of every line format that is not the format: splitting bytes into LF or CRLF lines,
 * counting them, rejecting over-long ones, and recording rejects with their line and byte offset.
 * A subclass parses one line (without its line end).
 */
export abstract class LineParser implements RecordParser {
  protected line = 0;

  constructor(
    protected readonly events: EventLookup,
    private readonly rejects: RejectLedger,
  ) {}

  /** Lines read so far. */
  get lines(): number {
    return this.line;
  }

  /** Starts a chunk of a file: line numbers restart at 1. */
  restart(_atFileStart: boolean): void {
    this.line = 0;
  }

  /** Counts a line the caller skipped without parsing (an over-long record). */
  skipLine(): void {
    this.line++;
  }

  /**
   * Parses the complete lines of bytes[0, end) into `batch` (which must have room for the format's
   * maxEventsIn(end) more events). With `final`, a last line without newline is parsed too.
   * Returns the index of the first byte not consumed. `baseOffset` is bytes[0]'s offset in the input.
   */
  parse(bytes: Uint8Array, end: number, final: boolean, batch: EventBatch, baseOffset: number): number {
    let start = 0;
    while (start < end) {
      let newline = bytes.indexOf(NEWLINE, start);
      if (newline === -1 || newline >= end) {
        if (!final) return start;
        newline = end;
      }
      let stop = newline;
      if (stop > start && bytes[stop - 1] === CR) stop--;
      this.line++;
      const reason =
        stop - start > MAX_LINE_BYTES ? 'line-too-long' : this.parseLine(bytes, start, stop, batch);
      if (reason !== undefined) {
        const raw = copyOfBytes(bytes, start, Math.min(stop, start + MAX_REJECT_BYTES));
        this.rejects.reject({ line: this.line, offset: baseOffset + start, reason, raw });
      }
      start = newline + 1;
    }
    return end;
  }

  /** Appends the line's event to the batch, or returns why it is rejected. */
  protected abstract parseLine(
    bytes: Uint8Array,
    start: number,
    stop: number,
    batch: EventBatch,
  ): RejectReason | undefined;
}
