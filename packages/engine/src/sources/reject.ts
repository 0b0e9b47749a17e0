/** Why a record was rejected; stable identifiers used in summaries, stats and dead letters. */
export type RejectReason =
  | 'empty-line'
  | 'column-count'
  | 'bad-address'
  | 'address-out-of-range'
  | 'unknown-event'
  | 'line-too-long'
  | 'not-json'
  | 'not-an-object'
  | 'missing-field'
  | 'truncated-record';

export const REJECT_REASONS: readonly RejectReason[] = [
  'empty-line',
  'column-count',
  'bad-address',
  'address-out-of-range',
  'unknown-event',
  'line-too-long',
  'not-json',
  'not-an-object',
  'missing-field',
  'truncated-record',
];

export const REJECT_DESCRIPTIONS: Readonly<Record<RejectReason, string>> = {
  'empty-line': 'empty line',
  'column-count': 'expected 2 columns (address,type)',
  'bad-address': 'address is not a dotted IPv4 address or a non-negative integer',
  'address-out-of-range': 'address out of range (IPv4 octets are 0..255, integers 0..4294967295)',
  'unknown-event': 'unknown event type',
  'line-too-long': 'line longer than the maximum record length',
  'not-json': 'not a JSON value',
  'not-an-object': 'not a JSON object',
  'missing-field': 'missing the "address" or "type" field',
  'truncated-record': 'truncated record at the end of the input (fewer than 8 bytes)',
};

/**
 * A rejected record: where it was and why. `line` is 1-based (0 for binary records and for
 * records of a parallel file chunk cut off by the read window); `offset` is the byte offset of its start.
 */
export interface RejectedRecord {
  line: number;
  offset: number;
  reason: RejectReason;
  raw: Uint8Array;
}

/** The reasons a CSV reader can give (the default set a ledger counts). */
export const CSV_REJECT_REASONS: readonly RejectReason[] = [
  'empty-line',
  'column-count',
  'bad-address',
  'address-out-of-range',
  'unknown-event',
  'line-too-long',
];

/**
 * Counts rejected records by reason and passes each one on (to a dead-letter file, --strict, ...).
 * `counts` starts with a zero for each reason the input format can give.
 */
export class RejectLedger {
  readonly counts: Partial<Record<RejectReason, number>> = {};
  total = 0;

  constructor(
    private readonly onReject?: (record: RejectedRecord) => void,
    reasons: readonly RejectReason[] = CSV_REJECT_REASONS,
  ) {
    for (const reason of reasons) this.counts[reason] = 0;
  }

  reject(record: RejectedRecord): void {
    this.counts[record.reason] = (this.counts[record.reason] ?? 0) + 1;
    this.total++;
    this.onReject?.(record);
  }

  /** The reasons that occurred, with their counts. */
  nonZero(): Partial<Record<RejectReason, number>> {
    return Object.fromEntries(Object.entries(this.counts).filter(([, n]) => n > 0));
  }
}

/** A copy of bytes[start, stop): a Buffer's own slice() would be a view into a buffer that gets reused. */
export function copyOfBytes(bytes: Uint8Array, start: number, stop: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, stop);
}

/** Adds up reject counts by reason (reasons with no records are left out). */
export function mergeRejects(
  all: readonly Partial<Record<RejectReason, number>>[],
): Partial<Record<RejectReason, number>> {
  const merged: Partial<Record<RejectReason, number>> = {};
  for (const counts of all) {
    for (const [reason, n] of Object.entries(counts) as [RejectReason, number][]) {
      if (n > 0) merged[reason] = (merged[reason] ?? 0) + n;
    }
  }
  return merged;
}
