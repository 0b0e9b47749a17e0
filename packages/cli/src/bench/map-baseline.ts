import { argv, exit, stderr, stdout } from 'node:process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mixSeed, Sfc32 } from '@statecraft/fsm';

/**
 * The benchmark's baseline: the same job written the obvious way, single-threaded, with no engine —
 * Flink's EventsGenerator over a JS `Map` of live machines (insertion-ordered, like Java's
 * LinkedHashMap), one object per event, and a `Map` from address to state name with the seed
 * machine's transitions as plain objects. It generates exactly the engine generator's stream (same
 * PRNG, splits, address ranges and chunk round-robin), so its alert count equals `statecraft run`'s
 * for the same --events, --seed and --error-rate.
 *
 * Run as its own process: `node map-baseline.js --events N [--error-rate p] [--seed n] [--splits G]`;
 * prints one JSON line `{ events, alerts, elapsedMs, eventsPerSecond, peakRssBytes }`.
 */

interface Transition {
  to: string;
  p: number;
}

/** The seed machine, written out by hand. */
const MACHINE: Record<string, Record<string, Transition>> = {
  Initial: { a: { to: 'W', p: 0.6 }, c: { to: 'X', p: 0.4 } },
  W: { b: { to: 'Y', p: 1 } },
  X: { b: { to: 'Y', p: 0.2 }, d: { to: 'Z', p: 0.8 } },
  Y: { e: { to: 'Z', p: 1 } },
  Z: { f: { to: 'Z', p: 0.3 }, g: { to: 'Terminal', p: 0.7 } },
  Terminal: {},
};
const EVENT_TYPES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const TERMINAL = new Set(Object.keys(MACHINE).filter((state) => Object.keys(MACHINE[state]!).length === 0));

/** The engine generator's layout of the stream (fsm's event-stream.ts defaults). */
const CHUNK_SIZE = 65_536;
const ADDRESS_RANGE_END = 0x7fffffff;
const MAX_LIVE = 1000;
const MAX_SKIP = 20;

interface NaiveEvent {
  address: number;
  type: string;
}

export interface MapBaselineOptions {
  events: number;
  errorRate: number;
  seed: number;
  splits: number;
}

export interface MapBaselineResult {
  events: number;
  alerts: number;
  elapsedMs: number;
  eventsPerSecond: number;
  peakRssBytes: number;
}

/** One generator split: Flink's EventsGenerator.next() with a Map of live machines. */
class NaiveGenerator {
  private readonly live = new Map<number, string>();
  private readonly random: Sfc32;

  constructor(
    seed: number,
    private readonly minAddress: number,
    private readonly maxAddress: number,
    private readonly errorRate: number,
  ) {
    this.random = new Sfc32(seed);
  }

  next(): NaiveEvent {
    const { live, random } = this;
    for (;;) {
      const p = random.nextDouble();
      if (p * MAX_LIVE >= live.size) {
        const address = this.minAddress + random.nextInt(this.maxAddress - this.minAddress);
        if (live.has(address)) continue; // collision: try again, as Flink does
        const [type, to] = this.randomTransition('Initial');
        if (!TERMINAL.has(to)) live.set(address, to);
        return { address, type };
      }
      // Skip some machines, take the next one out, and re-append it unless it terminated.
      const skip = Math.min(MAX_SKIP, random.nextInt(live.size));
      const entries = live.entries();
      for (let i = 0; i < skip; i++) entries.next();
      const [address, state] = entries.next().value as [number, string];
      live.delete(address);
      const invalid = p < this.errorRate ? EVENT_TYPES.filter((type) => !(type in MACHINE[state]!)) : [];
      if (invalid.length > 0) return { address, type: invalid[random.nextInt(invalid.length)]! };
      const [type, to] = this.randomTransition(state);
      if (!TERMINAL.has(to)) live.set(address, to);
      return { address, type };
    }
  }

  private randomTransition(state: string): [string, string] {
    const r = this.random.nextDouble();
    let total = 0;
    let last: [string, string] = ['', ''];
    for (const [type, transition] of Object.entries(MACHINE[state]!)) {
      total += transition.p;
      last = [type, transition.to];
      if (r < total) return last;
    }
    return last;
  }
}

/** Generates and processes `events` events; returns the counts and the timing. */
export function runMapBaseline(options: MapBaselineOptions): MapBaselineResult {
  const { events, errorRate, seed, splits } = options;
  const generators: NaiveGenerator[] = [];
  for (let i = 0; i < splits; i++) {
    const min = Math.floor((i * ADDRESS_RANGE_END) / splits);
    const max = Math.floor(((i + 1) * ADDRESS_RANGE_END) / splits);
    generators.push(new NaiveGenerator(mixSeed(seed, i), min, max, errorRate));
  }
  const states = new Map<number, string>();
  let alerts = 0;
  const started = performance.now();
  for (let chunk = 0; chunk * CHUNK_SIZE < events; chunk++) {
    const generator = generators[chunk % splits]!;
    const count = Math.min(CHUNK_SIZE, events - chunk * CHUNK_SIZE);
    for (let i = 0; i < count; i++) {
      const event = generator.next();
      const state = states.get(event.address) ?? 'Initial';
      const transition = MACHINE[state]![event.type];
      if (transition === undefined) alerts++;
      else if (TERMINAL.has(transition.to)) states.delete(event.address);
      else states.set(event.address, transition.to);
    }
  }
  const elapsedMs = performance.now() - started;
  return {
    events,
    alerts,
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function parseOptions(args: string[]): MapBaselineOptions {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: 'string', default: '10000000' },
      'error-rate': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      splits: { type: 'string', default: '64' },
    },
  });
  const integer = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      throw new Error(`--${name} must be an integer in ${min}..${max}, got ${text}`);
    }
    return n;
  };
  const errorRate = Number(values['error-rate']);
  if (!(errorRate >= 0 && errorRate <= 1)) {
    throw new Error(`--error-rate must be a number in [0, 1], got ${values['error-rate']}`);
  }
  return {
    events: integer('events', values.events, 1, Number.MAX_SAFE_INTEGER),
    errorRate,
    seed: integer('seed', values.seed, 0, 0xffffffff),
    splits: integer('splits', values.splits, 1, 1 << 16),
  };
}

if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  let options: MapBaselineOptions;
  try {
    options = parseOptions(argv.slice(2));
  } catch (error) {
    stderr.write(`map-baseline: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    exit(2);
  }
  stdout.write(`${JSON.stringify(runMapBaseline(options))}\n`);
}
