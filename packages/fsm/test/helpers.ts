import { callbackSink, type EventBatch, runJob } from '@statecraft/engine';
import { expect } from 'vitest';
import {
  alertEvent,
  alertState,
  type CompiledMachine,
  createAlertFormatter,
  type MachineDefinition,
  stateMachineOperator,
  type TransitionSpec,
} from '../src/index.js';

/** The (workers, partitions) grid the engine must give identical results on. */
export const WORKER_COUNTS = [0, 1, 2, 4] as const;
export const PARTITION_COUNTS = [1, 7, 128, 1024] as const;

/** One alert, named as in the machine definition, and the event in the source that raised it. */
export interface AlertRecord {
  /** Index of the source chunk (batch) the event came from. */
  chunk: number;
  /** Index of the event inside its chunk. */
  position: number;
  address: number;
  state: string;
  event: string;
}

/** Dotted IPv4, written independently of the package's formatAddress (bytes by division). */
export function dotted(address: number): string {
  const bytes: number[] = [];
  let rest = address;
  for (let i = 0; i < 4; i++) {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  }
  return bytes.join('.');
}

/** The transition of `state` on `event` in the definition itself, or undefined when invalid. */
function targetOf(definition: MachineDefinition, state: string, event: string): string | undefined {
  const transitions = definition.states[state];
  if (transitions === undefined || !Object.hasOwn(transitions, event)) return undefined;
  const spec: TransitionSpec | undefined = transitions[event];
  if (spec === undefined) return undefined;
  return typeof spec === 'string' ? spec : spec.to;
}

function isTerminal(definition: MachineDefinition, state: string): boolean {
  return Object.keys(definition.states[state] ?? {}).length === 0;
}

/**
 * DESIGN.md's semantics, written straight from the definition object (never the compiled table):
 * per address a current state (absent = initial); a valid event moves it (reaching a terminal state
 * forgets the address); any other event is an alert (address, current state, event) and changes
 * nothing. Events with a code outside `events` are alerts too.
 */
export class ReferenceMachine {
  /** Address → current state name; absent means the initial state. */
  readonly states = new Map<number, string>();
  readonly alerts: AlertRecord[] = [];

  constructor(readonly definition: MachineDefinition) {}

  /** Applies one event; returns true when it was a valid transition. */
  apply(address: number, type: number, chunk = 0, position = 0): boolean {
    const { definition } = this;
    const state = this.states.get(address) ?? definition.initial;
    const event = definition.events[type];
    const target = event === undefined ? undefined : targetOf(definition, state, event);
    if (target === undefined) {
      this.alerts.push({ chunk, position, address, state, event: event ?? `#${type}` });
      return false;
    }
    if (isTerminal(definition, target)) this.states.delete(address);
    else this.states.set(address, target);
    return true;
  }

  applyBatches(batches: readonly EventBatch[]): this {
    batches.forEach((batch, chunk) => {
      for (let i = 0; i < batch.count; i++) this.apply(batch.addresses[i]!, batch.types[i]!, chunk, i);
    });
    return this;
  }
}

export function referenceAlerts(
  definition: MachineDefinition,
  batches: readonly EventBatch[],
): AlertRecord[] {
  return new ReferenceMachine(definition).applyBatches(batches).alerts;
}

/** Flink's text form, written from the reference's records with the independent `dotted`. */
export function referenceText(alerts: readonly AlertRecord[]): string {
  return alerts.map((a) => `ALERT ${dotted(a.address)} : ${a.state} -> ${a.event}\n`).join('');
}

export interface EngineRun {
  alerts: AlertRecord[];
  /** Chunk indexes in the order the sink saw them. */
  chunksWritten: number[];
  /** What the package's text formatter wrote for each chunk, in the order the sink saw them. */
  text: { chunk: number; text: string }[];
  summary: Awaited<ReturnType<typeof runJob>>;
}

/** Runs the state machine operator on the engine and collects every alert, decoded to names. */
export async function runEngine(
  machine: CompiledMachine,
  batches: readonly EventBatch[],
  workers: number,
  partitions: number,
): Promise<EngineRun> {
  const alerts: AlertRecord[] = [];
  const chunksWritten: number[] = [];
  const text: EngineRun['text'] = [];
  const formatter = createAlertFormatter(machine, 'text');
  const summary = await runJob({
    source: batches.map(cloneBatch),
    operator: stateMachineOperator(machine),
    workers,
    partitions,
    sink: callbackSink((columns, chunk) => {
      chunksWritten.push(chunk);
      text.push({ chunk, text: formatter.format(columns) });
      for (let i = 0; i < columns.count; i++) {
        const code = columns.codes[i]!;
        alerts.push({
          chunk,
          position: columns.positions[i]!,
          address: columns.keys[i]!,
          state: machine.stateNames[alertState(code)] ?? `?${alertState(code)}`,
          event: machine.eventNames[alertEvent(code)] ?? `?${alertEvent(code)}`,
        });
      }
    }),
  });
  return { alerts, chunksWritten, text, summary };
}

/** A copy, so that nothing the engine does to its input can change what the reference saw. */
export function cloneBatch(batch: EventBatch): EventBatch {
  return { count: batch.count, addresses: batch.addresses.slice(), types: batch.types.slice() };
}

/** Cuts parallel arrays of events into batches of the given sizes (the rest in a last batch). */
export function toBatches(
  addresses: readonly number[],
  types: readonly number[],
  sizes: readonly number[],
  padding = 0,
): EventBatch[] {
  const batches: EventBatch[] = [];
  let start = 0;
  const cut = (count: number) => {
    // Arrays may be longer than `count`; fill the slack with events that must be ignored.
    const batchAddresses = new Uint32Array(count + padding).fill(0xdeadbeef);
    const batchTypes = new Uint8Array(count + padding).fill(1);
    batchAddresses.set(addresses.slice(start, start + count));
    batchTypes.set(types.slice(start, start + count));
    batches.push({ count, addresses: batchAddresses, types: batchTypes });
    start += count;
  };
  for (const size of sizes) {
    if (start >= addresses.length) break;
    cut(Math.min(size, addresses.length - start));
  }
  if (start < addresses.length) cut(addresses.length - start);
  return batches;
}

/** Asserts two alert lists are equal, reporting the first difference rather than a huge diff. */
export function expectSameAlerts(actual: readonly AlertRecord[], expected: readonly AlertRecord[]): void {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (
      a.chunk !== b.chunk ||
      a.position !== b.position ||
      a.address !== b.address ||
      a.state !== b.state ||
      a.event !== b.event
    ) {
      expect({ index: i, alert: a }).toEqual({ index: i, alert: b });
    }
  }
  expect(actual.length, 'number of alerts').toBe(expected.length);
}

/** Asserts two texts are equal, reporting the first differing line rather than a huge diff. */
export function expectSameLines(actual: string, expected: string, label: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const b = expected.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  throw new Error(
    `${label}: line ${i + 1} differs: got ${JSON.stringify(a[i])}, expected ${JSON.stringify(b[i])} ` +
      `(${a.length} vs ${b.length} lines)`,
  );
}
