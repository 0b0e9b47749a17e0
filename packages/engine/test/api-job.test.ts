import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type EventRecord, fromEvents } from '../src/api/event-source.js';
import { fromFile, fromStream } from '../src/api/file-sources.js';
import { createJob } from '../src/api/job.js';
import { toOperatorSpec } from '../src/api/operator-module.js';
import { recordsSink } from '../src/api/records-sink.js';
import { fromBatches } from '../src/api/source.js';
import { isStatecraftError } from '../src/errors.js';
import { formatAddress } from '../src/formats/ipv4.js';
import { counterReference, fixture, type Output, randomEvents, toBatches, useTempDir } from './helpers.js';

const NAMES = ['count', 'forget', 'other'];
const events = randomEvents(5, 6000, 200, 3);
const records: EventRecord[] = events.map(([address, type]) => ({
  address: formatAddress(address),
  type: NAMES[type]!,
}));
/** The counter fixture's outputs, computed on one thread, without chunk numbers (they depend on cutting). */
const expected = counterReference([toBatches(events, events.length)[0]!]).outputs.map(([, , key, code]) => ({
  key,
  code,
}));

interface Counted {
  key: number;
  code: number;
}

function collectingSink() {
  const seen: Counted[] = [];
  const chunks: number[] = [];
  const sink = recordsSink<Counted>(
    (columns) =>
      Array.from({ length: columns.count }, (_, i) => ({ key: columns.keys[i]!, code: columns.codes[i]! })),
    (items, chunk) => {
      chunks.push(chunk);
      seen.push(...items);
    },
  );
  return { seen, chunks, sink };
}

const dir = useTempDir('api');

describe('createJob', () => {
  it.each([0, 2])(
    'runs a keyed operator module over an async iterable of events (workers %i)',
    async (workers) => {
      async function* stream(): AsyncGenerator<EventRecord> {
        for (const record of records) yield record;
      }
      const { seen, chunks, sink } = collectingSink();
      const job = createJob({
        source: fromEvents(stream(), { batchSize: 500 }),
        operator: { module: new URL('./fixtures/counter.ts', import.meta.url) },
        sink,
        eventNames: NAMES,
        workers,
        partitions: 8,
      });
      expect(job.state).toBe('ready');
      const running = job.run();
      expect(job.state).toBe('running');
      expect(job.run()).toBe(running);
      const summary = await running;
      expect(job.state).toBe('done');
      expect(seen).toEqual(expected);
      expect(chunks).toEqual([...chunks].sort((a, b) => a - b));
      expect(summary).toMatchObject({
        events: 6000,
        outputs: expected.length,
        chunks: 12,
        interrupted: false,
        rejects: {},
      });
    },
  );

  it('takes columnar chunks as they are, and reports the source’s rejects in the summary', async () => {
    const { seen, sink } = collectingSink();
    const direct = await createJob({
      source: toBatches(events, 1000),
      operator: { module: fixture('counter') },
      sink,
      workers: 1,
      partitions: 4,
    }).run();
    expect(seen).toEqual(expected);
    expect(direct.events).toBe(6000);

    const bad = [{ address: '1.2.3.4', type: 'nope' }, ...records];
    const skipped = await createJob({
      source: fromEvents(bad, { invalid: 'skip' }),
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
      eventNames: NAMES,
      workers: 1,
    }).run();
    expect(skipped.rejects).toEqual({ 'unknown-event': 1 });
    expect(skipped.events).toBe(6000);
  });

  it('stops gracefully: the source is read no further and what was read is processed and written', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<EventRecord> {
      for (let i = 0; ; i++) {
        pulled++;
        if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        yield records[i % records.length]!;
      }
    }
    let outputs = 0;
    const job = createJob({
      source: fromEvents(endless(), { batchSize: 100 }),
      operator: { module: fixture('counter') },
      sink: recordsSink(
        (columns) => Array.from(columns.codes),
        (codes) => {
          outputs += codes.length;
          if (outputs > 500) job.stop();
        },
      ),
      eventNames: NAMES,
      workers: 2,
      partitions: 8,
    });
    const summary = await job.run();
    expect(job.state).toBe('done');
    expect(summary.interrupted).toBe(true);
    expect(summary.outputs).toBe(outputs);
    expect(summary.events).toBeGreaterThan(500);
    expect(summary.events).toBeLessThanOrEqual(pulled);
    // Every event read was processed: the counter's outputs for exactly that prefix of the stream.
    const prefix = Array.from({ length: summary.events }, (_, i) => events[i % events.length]!);
    expect(summary.outputs).toBe(counterReference(toBatches(prefix, prefix.length)).outputs.length);
  });

  it('stopped before it runs, runs nothing; an external signal stops it too', async () => {
    const job = createJob({
      source: fromEvents(records),
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
      eventNames: NAMES,
      workers: 1,
    });
    job.stop();
    const summary = await job.run();
    expect(summary).toMatchObject({ interrupted: true, outputs: 0 });

    const controller = new AbortController();
    controller.abort();
    const external = await createJob({
      source: fromEvents(records),
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
      eventNames: NAMES,
      workers: 0,
      signal: controller.signal,
    }).run();
    expect(external.interrupted).toBe(true);
  });

  it('fails with a StatecraftError when a record is bad, and the job is marked failed', async () => {
    const job = createJob({
      source: fromEvents([...records.slice(0, 10), { address: 'nowhere', type: 'count' }]),
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
      eventNames: NAMES,
      workers: 1,
    });
    const error = await job.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStatecraftError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'events:11: address is not a dotted IPv4 address or a non-negative integer: "nowhere"',
    );
    expect(job.state).toBe('failed');
  });

  it('fails on an operator module that cannot be loaded, and on bad options', async () => {
    const missing = await createJob({
      source: fromBatches(toBatches(events, 1000)),
      operator: { module: join(dir(), 'no-such-operator.js') },
      sink: collectingSink().sink,
      workers: 1,
    })
      .run()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((missing as { code?: string }).code).toBe('WORKER_FAILED');
    expect((missing as Error).message).toContain('no-such-operator.js');

    const bad = createJob({
      source: [],
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
      workers: 3,
      partitions: 2,
    });
    await expect(bad.run()).rejects.toMatchObject({ code: 'INVALID_JOB_OPTIONS' });
  });
});

describe('fromFile and fromStream', () => {
  const csv = `address,type\n${records.map((r) => `${r.address},${r.type}`).join('\n')}\n`;

  it.each(['events.csv', 'events.csv.gz'])('reads %s with the job’s event names', async (name) => {
    const path = join(dir(), name);
    await writeFile(path, name.endsWith('.gz') ? gzipSync(csv) : csv);
    const { seen, sink } = collectingSink();
    const summary = await createJob({
      source: fromFile(path, { chunkBytes: 4096 }),
      operator: { module: fixture('counter') },
      sink,
      eventNames: NAMES,
      workers: 2,
      partitions: 8,
    }).run();
    expect(seen).toEqual(expected);
    expect(summary.events).toBe(6000);
  });

  it('reads a stream, counting its rejects, and an NDJSON file by its extension', async () => {
    const { seen, sink } = collectingSink();
    const summary = await createJob({
      source: fromStream(Readable.from([Buffer.from(`${csv}1.2.3.4,nope\n`)])),
      operator: { module: fixture('counter') },
      sink,
      eventNames: NAMES,
      workers: 1,
    }).run();
    expect(seen).toEqual(expected);
    expect(summary.rejects).toEqual({ 'unknown-event': 1 });

    const ndjson = join(dir(), 'events.ndjson');
    await writeFile(ndjson, records.map((r) => JSON.stringify(r)).join('\n'));
    const fromNdjson = collectingSink();
    await createJob({
      source: fromFile(ndjson),
      operator: { module: fixture('counter') },
      sink: fromNdjson.sink,
      eventNames: NAMES,
      workers: 1,
    }).run();
    expect(fromNdjson.seen).toEqual(expected);
  });

  it('restarts from the start of a file when a worker dies, with maxRestarts', async () => {
    const path = join(dir(), 'restart.csv');
    await writeFile(path, csv);
    const restarts: number[] = [];
    const { seen, sink } = collectingSink();
    const summary = await createJob({
      source: fromFile(path, { chunkBytes: 4096 }),
      operator: { module: fixture('throw-once'), config: { marker: join(dir(), 'thrown-once') } },
      sink,
      eventNames: NAMES,
      workers: 2,
      partitions: 8,
      maxRestarts: 1,
      restartBackoffMs: 1,
      onRestart: (info) => restarts.push(info.restart),
    }).run();
    expect(restarts).toEqual([1]);
    expect(summary.restarts).toBe(1);
    expect(seen).toEqual(expected);
  });

  it('needs event names, and a file that exists', async () => {
    const noNames = createJob({
      source: fromFile(join(dir(), 'events.csv')),
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
    });
    await expect(noNames.run()).rejects.toMatchObject({
      code: 'INVALID_JOB_OPTIONS',
      message: 'fromFile needs the event names: give the job eventNames (or a machine)',
    });
    const missing = createJob({
      source: fromFile(join(dir(), 'missing.csv')),
      operator: { module: fixture('counter') },
      sink: collectingSink().sink,
      eventNames: NAMES,
    });
    await expect(missing.run()).rejects.toMatchObject({
      code: 'INPUT_UNREADABLE',
      message: expect.stringContaining('ENOENT'),
    });
  });
});

describe('toOperatorSpec', () => {
  it('turns a path or a URL into a file: URL and keeps other URLs', () => {
    expect(toOperatorSpec({ module: '/srv/op.js', config: { a: 1 } })).toEqual({
      module: 'file:///srv/op.js',
      config: { a: 1 },
    });
    expect(toOperatorSpec({ module: new URL('file:///srv/op.js') }).module).toBe('file:///srv/op.js');
    expect(toOperatorSpec({ module: 'file:///srv/op.js' }).module).toBe('file:///srv/op.js');
    expect(toOperatorSpec({ module: 'op.js' }).module).toBe(new URL(`file://${process.cwd()}/op.js`).href);
  });
});

export type { Output };
