// A custom keyed operator as a worker module (operators/failed-logins.ts): brute-force detection,
// three failed passwords in a row from one address. The job runs it on two worker threads over
// an async iterable of events and decodes its columnar outputs into typed records; the result is
// checked against the same logic run with a Map on this thread.
import assert from 'node:assert/strict';
import { createJob, type EventRecord, formatAddress, fromEvents, recordsSink } from '@statecraft/engine';
import type { FailedLoginsConfig } from './operators/failed-logins.js';

const EVENTS = ['login', 'password-ok', 'password-fail'];
const config: FailedLoginsConfig = { failure: 2, success: 1, threshold: 3 };

/** 100,000 events over 2,000 addresses from a seeded PRNG; one attempt in three fails. */
function* attempts(): Generator<EventRecord> {
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 100_000; i++) {
    const address = 0xc0a80000 + Math.floor(random() * 2000);
    yield { address, type: random() < 0.2 ? 'login' : random() < 0.6 ? 'password-ok' : 'password-fail' };
  }
}

interface BruteForce {
  address: string;
  failures: number;
}

const detections: BruteForce[] = [];
const summary = await createJob({
  source: fromEvents(attempts()),
  operator: { module: new URL('./operators/failed-logins.ts', import.meta.url), config },
  eventNames: EVENTS,
  sink: recordsSink(
    (columns) =>
      Array.from({ length: columns.count }, (_, i) => ({
        address: formatAddress(columns.keys[i]!),
        failures: columns.codes[i]!,
      })),
    (batch: BruteForce[]) => {
      detections.push(...batch);
    },
  ),
  workers: 2,
  partitions: 64,
}).run();

// The same logic, one Map on this thread.
const expected: BruteForce[] = [];
const streak = new Map<number, number>();
for (const { address, type } of attempts()) {
  const key = address as number;
  if (type === 'password-ok') streak.delete(key);
  if (type !== 'password-fail') continue;
  const failures = (streak.get(key) ?? 0) + 1;
  if (failures >= config.threshold) {
    expected.push({ address: formatAddress(key), failures });
    streak.delete(key);
  } else {
    streak.set(key, failures);
  }
}

assert.equal(summary.events, 100_000);
assert.ok(expected.length > 100);
assert.deepEqual(detections, expected);
assert.equal(summary.liveKeys, streak.size);
console.log('first detections:', detections.slice(0, 3));
console.log(
  `custom-operator: ${summary.events} events, ${detections.length} brute-force detections, as the Map reference: ok`,
);
