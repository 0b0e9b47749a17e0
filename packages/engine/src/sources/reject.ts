/** Why a record was rejected; stable identifiers used in summaries, stats and dead letters. */
export type RejectReason =
  | 'empty-line'
  | 'column-count'
  | 'bad-address'
  | 'address-out-of-range'
  | 'unknown-event'
  | 'line-too-long';

export const REJECT_REASONS: readonly RejectReason[] = [
  'empty-line',
  'column-count',
  'bad-address',
  'address-out-of-range',
  'unknown-event',
  'line-too-long',
];

export const REJECT_DESCRIPTIONS: Readonly<Record<RejectReason, string>> = {
  'empty-line': 'empty line',
  'column-count': 'expected 2 columns (address,type)',
  'bad-address': 'address is not a dotted IPv4 address or a non-negative integer',
  'address-out-of-range': 'address out of range (IPv4 octets are 0..255, integers 0..4294967295)',
  'unknown-event': 'unknown event type',
  'line-too-long': 'line longer than the maximum record length',
};

/** A rejected record: where it was and why. `line` is 1-based; `offset` is the byte offset of its start. */
export interface RejectedRecord {
  line: number;
  offset: number;
  reason: RejectReason;
  raw: Uint8Array;
}

/** Counts rejected records by reason and passes each one on (to a dead-letter file, --strict, ...). */
export class RejectLedger {
  readonly counts: Record<RejectReason, number> = {
    'empty-line': 0,
    'column-count': 0,
    'bad-address': 0,
    'address-out-of-range': 0,
    'unknown-event': 0,
    'line-too-long': 0,
  };
  total = 0;

  constructor(private readonly onReject?: (record: RejectedRecord) => void) {}

  reject(record: RejectedRecord): void {
    this.counts[record.reason]++;
    this.total++;
    this.onReject?.(record);
  }
}
