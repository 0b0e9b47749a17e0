import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { runJob } from '../src/runtime/job.js';
import { fileSource } from '../src/sources/file-source.js';
import { gzipFileSource } from '../src/sources/gzip-file-source.js';
import { MAX_LINE_BYTES } from '../src/sources/line-parser.js';
import type { FedSource, ParallelSource } from '../src/sources/parallel-source.js';
import type { InputFormat } from '../src/sources/record-format.js';
import type { RejectedRecord } from '../src/sources/reject.js';
import { parallelFixture, recordingSink } from './fixtures/parallel-support.js';
import { useTempDir } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const operator = { module: parallelFixture('parallel-counter'), config: {} };

const dir = useTempDir('parallel-gzip');
let files = 0;

/** Writes the bytes as `input-N.ext` and gzipped as `input-N.ext.gz`; returns both paths. */
async function writeBoth(bytes: Uint8Array, ext = 'csv'): Promise<{ plain: string; gz: string }> {
  const plain = join(dir(), `input-${files++}.${ext}`);
  await writeFile(plain, bytes);
  await writeFile(`${plain}.gz`, gzipSync(bytes));
  return { plain, gz: `${plain}.gz` };
}

interface Layout {
  workers: number;
  partitions: number;
  sourceParallelism: number;
  chunkBytes: number;
  format?: InputFormat;
}

/** Everything a run shows: the output text, the summary's counts, and every rejected record. */
async function run(path: string, layout: Layout) {
  const options = {
    eventNames: EVENTS,
    format: layout.format ?? 'csv',
    chunkBytes: layout.chunkBytes,
    keepRejected: true,
  };
  const source = path.endsWith('.gz') ? gzipFileSource(path, options) : fileSource(path, options);
  const sink = recordingSink();
  const rejected: RejectedRecord[] = [];
  const summary = await runJob({
    source,
    operator,
    sink,
    workers: layout.workers,
    partitions: layout.partitions,
    sourceParallelism: layout.sourceParallelism,
    onRejected: (record) => rejected.push(record),
  });
  expect(sink.closed).toBe(1);
  const { events, outputs, chunks, liveKeys, rejects, interrupted } = summary;
  return {
    text: sink.text,
    summary: { events, outputs, chunks, liveKeys, rejects, interrupted },
    rejected: rejected.map(({ line, offset, reason, raw }) => ({
      line,
      offset,
      reason,
      raw: Buffer.from(raw).toString('latin1'),
    })),
  };
}

/**
 * ~3,700 lines over a few keys, cut into 333-byte chunks: a header, LF and CRLF lines, a run of 400
 * bad records (whole chunks of nothing else), a line longer than MAX_LINE_BYTES, and no newline at
 * the end.
 */
function mixedCsv(): { bytes: Buffer; badRun: [number, number] } {
  const keys = [3, 0x0a000001, 0xffffffff, 42, 0];
  const lines: string[] = ['address,type\r\n'];
  let offset = lines[0]!.length;
  const push = (line: string) => {
    lines.push(line);
    offset += line.length;
  };
  let badRun: [number, number] = [0, 0];
  for (let i = 0; i < 3000; i++) {
    push(`${(keys[i % 5]! ^ (i % 11 === 0 ? 1 : 0)) >>> 0},${EVENTS[(i * 3) % 7]}${i % 2 ? '\n' : '\r\n'}`);
    if (i === 1200) {
      const start = offset;
      for (let j = 0; j < 400; j++) push(['1,z\n', 'x\n', '\n', '256.0.0.1,a\r\n'][j % 4]!);
      badRun = [start, offset];
    }
    if (i === 2000) push(`${' '.repeat(MAX_LINE_BYTES + 5)}7,a\n`);
  }
  push('10.0.0.1,g');
  return { bytes: Buffer.from(lines.join(''), 'latin1'), badRun };
}

describe('a .gz file gives exactly the run of the same file uncompressed', { timeout: 120_000 }, () => {
  const CHUNK = 333;
  let paths: { plain: string; gz: string };
  let reference: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    const { bytes, badRun } = mixedCsv();
    // The bad run covers whole chunks; most cut points fall inside a record.
    expect(badRun[1] - badRun[0]).toBeGreaterThan(3 * CHUNK);
    let straddled = 0;
    for (let cut = CHUNK; cut < bytes.length; cut += CHUNK) if (bytes[cut - 1] !== 0x0a) straddled++;
    expect(straddled).toBeGreaterThan(bytes.length / CHUNK / 2);
    paths = await writeBoth(bytes);
    reference = await run(paths.plain, {
      workers: 0,
      partitions: 1,
      sourceParallelism: 1,
      chunkBytes: CHUNK,
    });
    expect(reference.summary.rejects).toMatchObject({ 'line-too-long': 1, 'unknown-event': 100 });
    expect(reference.rejected.length).toBe(401);
  });

  const layouts: [number, number, number][] = [];
  for (const s of [1, 2, 3]) {
    for (const workers of [0, 1, 2]) {
      for (const partitions of [1, 128]) if (workers <= partitions) layouts.push([s, workers, partitions]);
    }
    layouts.push([s, 2, 2]);
  }

  it.each(layouts)(
    'S %i, workers %i, partitions %i: same text, counts, rejected lines and offsets',
    async (s, workers, partitions) => {
      const layout = { workers, partitions, sourceParallelism: s, chunkBytes: CHUNK };
      const [plain, gz] = [await run(paths.plain, layout), await run(paths.gz, layout)];
      expect(plain.summary).toEqual(reference.summary);
      expect(gz.summary).toEqual(reference.summary);
      expect(gz.text).toBe(reference.text);
      expect(plain.text).toBe(reference.text);
      expect(gz.rejected).toEqual(reference.rejected);
    },
  );

  it('the default 4 MiB chunks (the file is smaller than one), workers 2', async () => {
    const layout = { workers: 2, partitions: 128, sourceParallelism: 2, chunkBytes: 4 << 20 };
    const [plain, gz] = [await run(paths.plain, layout), await run(paths.gz, layout)];
    expect(plain.summary.chunks).toBe(1);
    expect(gz).toEqual(plain);
  });
});

describe('small and odd .gz inputs', { timeout: 60_000 }, () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['one record, no newline', '10.0.0.1,a'],
    ['CRLF only', '1,a\r\n2,b\r\n1,c\r\n'],
    ['a lone CR at the end', '1,a\n2,b\r'],
    ['only bad records', 'x\n\n1,z\r\n300.1.1.1,a'],
    ['a header and nothing else', 'address,type\n'],
  ];
  it.each(cases)('%s: the plain file’s run, inline and on 2 workers with S 3', async (_name, text) => {
    const paths = await writeBoth(Buffer.from(text, 'latin1'));
    for (const [workers, s] of [
      [0, 1],
      [2, 3],
    ] as const) {
      for (const chunkBytes of [1, 4, 4096]) {
        const layout = { workers, partitions: 16, sourceParallelism: s, chunkBytes };
        expect(await run(paths.gz, layout)).toEqual(await run(paths.plain, layout));
      }
    }
  });

  it('flink-binary and NDJSON: the same records, rejects and offsets (a truncated binary tail)', async () => {
    const binary = Buffer.alloc(8 * 300 + 5);
    for (let i = 0; i < 300; i++) {
      binary.writeInt32LE(i % 13, i * 8);
      binary.writeInt32LE(i % 9, i * 8 + 4); // ordinals 7 and 8 are unknown events
    }
    const ndjson = Array.from({ length: 300 }, (_, i) =>
      i % 17 === 0 ? '{"address":1}' : JSON.stringify({ address: `10.0.0.${i % 7}`, type: EVENTS[i % 7] }),
    ).join('\r\n');
    const inputs: [InputFormat, Buffer, string][] = [
      ['flink-binary', binary, 'bin'],
      ['ndjson', Buffer.from(ndjson), 'ndjson'],
    ];
    for (const [format, bytes, ext] of inputs) {
      const paths = await writeBoth(bytes, ext);
      for (const layout of [
        { workers: 0, partitions: 4, sourceParallelism: 1, chunkBytes: 100, format },
        { workers: 2, partitions: 4, sourceParallelism: 3, chunkBytes: 100, format },
      ]) {
        const plain = await run(paths.plain, layout);
        expect(plain.rejected.length).toBeGreaterThan(10);
        expect(await run(paths.gz, layout)).toEqual(plain);
      }
    }
  });

  it('a multi-member gzip file (concatenated .gz files) is read whole', async () => {
    const first = Buffer.from('1,a\n2,b\n');
    const second = Buffer.from('1,c\n3,d\n');
    const paths = await writeBoth(Buffer.concat([first, second]));
    await writeFile(paths.gz, Buffer.concat([gzipSync(first), gzipSync(second)]));
    const layout = { workers: 1, partitions: 4, sourceParallelism: 1, chunkBytes: 5 };
    expect(await run(paths.gz, layout)).toEqual(await run(paths.plain, layout));
  });
});

describe('reading a .gz file', { timeout: 60_000 }, () => {
  /** The source, counting the chunks its feed hands out. */
  function counted(source: FedSource, onFed: () => void): ParallelSource {
    return {
      ...source,
      feed(from) {
        const feed = source.feed(from);
        return {
          next: async () => {
            const next = await feed.next();
            if (next !== undefined) onFed();
            return next;
          },
          close: () => feed.close(),
        };
      },
    };
  }

  it.each([
    [0, 1, 2],
    [2, 2, 3],
    [2, 1, 1],
  ])(
    'waits for the sink: workers %i, S %i, maxInFlightPerWorker %i bound the chunks read ahead',
    async (workers, s, maxInFlight) => {
      const lines = Array.from({ length: 4000 }, (_, i) => `${i % 97},${EVENTS[i % 7]}\n`).join('');
      const paths = await writeBoth(Buffer.from(lines));
      let fed = 0;
      let written = 0;
      let maxAhead = 0;
      const source = counted(gzipFileSource(paths.gz, { eventNames: EVENTS, chunkBytes: 256 }), () => {
        fed++;
        maxAhead = Math.max(maxAhead, fed - written);
      });
      const summary = await runJob({
        source,
        operator,
        workers,
        partitions: 8,
        sourceParallelism: s,
        maxInFlightPerWorker: maxInFlight,
        sink: recordingSink(async () => {
          await new Promise((resolve) => setTimeout(resolve, written === 0 ? 200 : 1));
          written++;
        }),
      });
      expect(summary.chunks).toBe(Math.ceil(lines.length / 256));
      expect(fed).toBe(summary.chunks);
      // Exchange: the grant window, maxInFlightPerWorker × max(W, S). Inline: the collector's backlog
      // of 2 × maxInFlightPerWorker, the chunk in hand and the one asked for meanwhile.
      const bound = workers === 0 ? 2 * maxInFlight + 2 : maxInFlight * Math.max(workers, s);
      expect(maxAhead).toBeLessThanOrEqual(bound);
      expect(maxAhead).toBeGreaterThanOrEqual(Math.min(bound, 2));
    },
  );

  it.each([0, 2])(
    'a truncated or corrupt file fails the job with an InputError naming it (workers %i)',
    async (workers) => {
      const lines = Array.from({ length: 20_000 }, (_, i) => `${i},${EVENTS[i % 7]}\n`).join('');
      const gz = gzipSync(Buffer.from(lines));
      const cases: [string, Buffer, string][] = [
        ['truncated', gz.subarray(0, gz.length - 100), 'truncated gzip data (unexpected end of file)'],
        ['not gzip', Buffer.from(lines.slice(0, 1000)), 'not valid gzip data (incorrect header check)'],
      ];
      for (const [name, bytes, why] of cases) {
        const path = join(dir(), `${name.replace(' ', '-')}-${workers}.csv.gz`);
        await writeFile(path, bytes);
        const failure = await runJob({
          source: gzipFileSource(path, { eventNames: EVENTS, chunkBytes: 4096 }),
          operator,
          sink: recordingSink(),
          workers,
          partitions: 8,
        }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure, name).toBeInstanceOf(InputError);
        expect((failure as Error).message).toBe(`cannot read ${path}: ${why}`);
      }
    },
  );
});
