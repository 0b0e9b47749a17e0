import { createEventBatch, type EventBatch } from '../batch.js';
import { BadRecordError } from '../errors.js';
import { addressOf } from '../sources/ndjson-parser.js';
import { REJECT_DESCRIPTIONS, type RejectReason } from '../sources/reject.js';
import type { Source, SourceContext } from './source.js';

/** One event as an embedding application has it. */
export interface EventRecord {
  /** The key: an IPv4 address, dotted (`"10.0.0.1"`), or as an integer 0..4294967295. */
  address: string | number;
  /** The event: one of the job's event names, or its code (the index in the names). */
  type: string | number;
}

export interface FromEventsOptions {
  /** Events per chunk at most. Default 4096. */
  batchSize?: number;
  /**
   * How long a started chunk waits for more events from an async source before it is sent
   * anyway, so that a slow, live source still gets timely results. Default 20 ms.
   */
  maxDelayMs?: number;
  /** A bad record throws a BadRecordError (`throw`, the default) or is counted and skipped (`skip`). */
  invalid?: 'throw' | 'skip';
  /** Named in errors. Default "events". */
  name?: string;
}

/**
 * Events as objects, from any iterable or async iterable (an array, a generator, a stream of
 * messages), packed into columnar chunks. Stopping the job ends the source even while an async
 * iterable is waiting for its next event.
 */
export function fromEvents(
  events: Iterable<EventRecord> | AsyncIterable<EventRecord>,
  options: FromEventsOptions = {},
): Source {
  return {
    open(context: SourceContext) {
      const packer = new EventPacker(context.eventNames, options);
      const chunks =
        Symbol.asyncIterator in events
          ? packAsync(events, packer, context.signal, options.maxDelayMs ?? 20)
          : packSync(events, packer, context.signal);
      return { chunks, rejects: () => packer.nonZeroRejects() };
    },
  };
}

/** Turns records into batch entries: checks and converts the address and type, counts rejects. */
class EventPacker {
  readonly batchSize: number;
  private readonly codes: Map<string, number>;
  private readonly eventCount: number;
  private readonly invalid: 'throw' | 'skip';
  private readonly name: string;
  private readonly rejects: Partial<Record<RejectReason, number>> = {};
  private index = 0;
  private address = 0;
  private type = 0;

  constructor(eventNames: readonly string[] | undefined, options: FromEventsOptions) {
    this.batchSize = options.batchSize ?? 4096;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`batchSize must be an integer ≥ 1, got ${this.batchSize}`);
    }
    this.codes = new Map((eventNames ?? []).map((name, code) => [name, code]));
    this.eventCount = eventNames?.length ?? 256;
    this.invalid = options.invalid ?? 'throw';
    this.name = options.name ?? 'events';
  }

  /** Appends the record to the batch, or rejects it. */
  add(record: EventRecord, batch: EventBatch): void {
    this.index++;
    const problem = this.check(record);
    if (problem !== undefined) {
      this.reject(problem.reason, problem.value);
      return;
    }
    const n = batch.count++;
    batch.addresses[n] = this.address;
    batch.types[n] = this.type;
  }

  /** Reads the record into `address` and `type`; what is wrong with it otherwise. */
  private check(record: EventRecord): { reason: RejectReason; value: unknown } | undefined {
    if (typeof record !== 'object' || record === null) return { reason: 'not-an-object', value: record };
    const address = addressOf(record.address);
    if (address < 0) {
      return { reason: address === -2 ? 'address-out-of-range' : 'bad-address', value: record.address };
    }
    const { type } = record;
    const code =
      typeof type === 'string'
        ? (this.codes.get(type) ?? -1)
        : Number.isInteger(type) && type >= 0 && type < this.eventCount
          ? type
          : -1;
    if (code < 0) return { reason: 'unknown-event', value: type };
    this.address = address;
    this.type = code;
    return undefined;
  }

  nonZeroRejects(): Partial<Record<RejectReason, number>> {
    return { ...this.rejects };
  }

  private reject(reason: RejectReason, value: unknown): void {
    if (this.invalid === 'throw') {
      const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
      throw new BadRecordError(this.name, this.index, 0, `${REJECT_DESCRIPTIONS[reason]}: ${shown}`);
    }
    this.rejects[reason] = (this.rejects[reason] ?? 0) + 1;
  }
}

function* packSync(
  events: Iterable<EventRecord>,
  packer: EventPacker,
  signal: AbortSignal,
): Generator<EventBatch> {
  let batch = createEventBatch(packer.batchSize);
  for (const record of events) {
    packer.add(record, batch);
    if (batch.count === packer.batchSize) {
      yield batch;
      if (signal.aborted) return;
      batch = createEventBatch(packer.batchSize);
    }
  }
  if (batch.count > 0) yield batch;
}

async function* packAsync(
  events: AsyncIterable<EventRecord>,
  packer: EventPacker,
  signal: AbortSignal,
  maxDelayMs: number,
): AsyncGenerator<EventBatch> {
  const puller = new Puller(events[Symbol.asyncIterator](), signal, maxDelayMs);
  let batch = createEventBatch(packer.batchSize);
  try {
    while (true) {
      for (let wait = puller.request(); wait !== undefined; wait = puller.request()) await wait;
      const next = puller.take();
      if (next === 'stop') break;
      if (next !== 'timeout') {
        if (next.done === true) break;
        packer.add(next.value, batch);
        if (batch.count === 1) puller.startTimer();
      }
      if (batch.count === packer.batchSize || (next === 'timeout' && batch.count > 0)) {
        puller.stopTimer();
        yield batch;
        batch = createEventBatch(packer.batchSize);
      }
    }
    if (batch.count > 0) yield batch;
  } finally {
    puller.close();
  }
}

/**
 * Pulls an async iterator one item at a time, and wakes early when the job stops or the chunk's
 * timer runs out. One handler and one promise per item, and no async function in between: racing
 * each item's promise against a per-chunk one (Promise.race) in an async `next()` ran the job
 * about 1.5 times slower (`pnpm bench:embedding`).
 */
class Puller {
  private result: IteratorResult<EventRecord> | undefined;
  private failure: { error: unknown } | undefined;
  private requested = false;
  private finished = false;
  private timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private readonly alarm = () => {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };
  private readonly settle = (result: IteratorResult<EventRecord>) => {
    this.result = result;
    this.alarm();
  };
  private readonly fail = (error: unknown) => {
    this.failure = { error };
    this.alarm();
  };

  constructor(
    private readonly iterator: AsyncIterator<EventRecord>,
    private readonly signal: AbortSignal,
    private readonly maxDelayMs: number,
  ) {
    signal.addEventListener('abort', this.alarm);
  }

  /** Asks for the next item unless already asked; a promise to wait on when nothing is ready yet. */
  request(): Promise<void> | undefined {
    if (!this.requested) {
      this.requested = true;
      this.iterator.next().then(this.settle, this.fail);
    }
    if (this.ready()) return undefined;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** The item that arrived; 'timeout' when the chunk's timer ran out first; 'stop' when the job stopped. */
  take(): IteratorResult<EventRecord> | 'timeout' | 'stop' {
    if (this.failure !== undefined) throw this.failure.error;
    if (this.signal.aborted) return 'stop';
    const result = this.result;
    if (result === undefined) {
      this.timedOut = false;
      return 'timeout';
    }
    this.result = undefined;
    this.requested = false;
    if (result.done === true) this.finished = true;
    return result;
  }

  startTimer(): void {
    this.timer ??= setTimeout(() => {
      this.timedOut = true;
      this.alarm();
    }, this.maxDelayMs);
  }

  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timedOut = false;
  }

  close(): void {
    this.stopTimer();
    this.signal.removeEventListener('abort', this.alarm);
    // Lets the iterable clean up (a generator's finally). Not awaited: a pending next() of an
    // async generator holds its return() until the next item, which may never come.
    if (!this.finished) this.iterator.return?.()?.catch(() => undefined);
  }

  private ready(): boolean {
    return this.result !== undefined || this.failure !== undefined || this.signal.aborted || this.timedOut;
  }
}
