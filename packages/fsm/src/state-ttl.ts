/**
 * How long an idle address keeps its state (Flink's StateTtlConfig). `events`: idle for more than
 * `amount` events of the whole stream, a clock that is the same for every worker, partition and
 * source count, so the output is too. `ms`: idle for more than `amount` milliseconds of wall-clock
 * time, like Flink's processing-time TTL; the output then depends on how fast the job runs.
 */
export interface StateTtl {
  unit: 'events' | 'ms';
  amount: number;
}

/** Idle addresses are also swept out every this many chunks, so state stays bounded. */
export const TTL_SWEEP_EVERY_CHUNKS = 16;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export type DurationUnit = 'ms' | 's' | 'm' | 'h';

/**
 * A whole positive number of events (`500000`), or a duration of at least 1 ms in one of `units`
 * (`250ms`, `30s`, `5m`, `1h`) as milliseconds; undefined for anything else.
 */
export function parseEventsOrDuration(
  text: string,
  units: readonly DurationUnit[] = ['ms', 's', 'm', 'h'],
): StateTtl | undefined {
  if (/^\d+$/.test(text)) {
    const amount = Number(text);
    if (Number.isSafeInteger(amount) && amount > 0) return { unit: 'events', amount };
  }
  const duration = DURATION.exec(text);
  if (duration === null || !units.includes(duration[2] as DurationUnit)) return undefined;
  const amount = Number(duration[1]) * MS_PER_UNIT[duration[2]!]!;
  return amount >= 1 ? { unit: 'ms', amount } : undefined;
}

/** Parses `--state-ttl`: a whole number of events (`500000`) or a duration (`30s`, `250ms`, `5m`, `1h`). */
export function parseStateTtl(text: string): StateTtl {
  const ttl = parseEventsOrDuration(text);
  if (ttl !== undefined) return ttl;
  throw new RangeError(
    `"${text}" is neither a positive number of events nor a duration like 250ms, 30s, 5m or 1h`,
  );
}
