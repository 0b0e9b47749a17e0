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
  const iterator = events[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<EventRecord>> | undefined;
  let batch = createEventBatch(packer.batchSize);
  let interrupt = new Interrupt(signal);
  let finished = false;
  try {
    while (true) {
      pending ??= iterator.next();
      const next = await Promise.race([pending, interrupt.promise]);
      if (next === 'abort') break;
      if (next === 'timeout') {
        interrupt.dispose();
        interrupt = new Interrupt(signal);
        yield batch;
        batch = createEventBatch(packer.batchSize);
        continue;
      }
      pending = undefined;
      if (next.done === true) {
        finished = true;
        break;
      }
      packer.add(next.value, batch);
      if (batch.count === 1) interrupt.arm(maxDelayMs);
      if (batch.count === packer.batchSize) {
        interrupt.dispose();
        interrupt = new Interrupt(signal);
        yield batch;
        batch = createEventBatch(packer.batchSize);
      }
    }
    if (batch.count > 0) yield batch;
  } finally {
    interrupt.dispose();
    if (!finished) {
      // Lets the iterable clean up (a generator's finally). Not awaited: a pending next() of an
      // async generator holds its return() until the next event, which may never come.
      pending?.catch(() => undefined);
      iterator.return?.()?.catch(() => undefined);
    }
  }
}

/**
 * Resolves when the job is stopped, or `arm`ed milliseconds after a chunk got its first event.
 * One per chunk, so that racing it against each event's promise adds a bounded number of handlers.
 */
class Interrupt {
  readonly promise: Promise<'abort' | 'timeout'>;
  private resolve!: (reason: 'abort' | 'timeout') => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.resolve('abort');

  constructor(private readonly signal: AbortSignal) {
    this.promise = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (signal.aborted) this.resolve('abort');
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  arm(delayMs: number): void {
    this.timer ??= setTimeout(() => this.resolve('timeout'), delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.onAbort);
  }
}
