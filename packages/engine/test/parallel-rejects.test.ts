import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadRecordError } from '../src/errors.js';
import { runJob } from '../src/runtime/job.js';
import { fileSource } from '../src/sources/file-source.js';
import { MAX_LINE_BYTES } from '../src/sources/line-parser.js';
import type { InputFormat } from '../src/sources/record-format.js';
import { RecordStreamSource } from '../src/sources/record-stream-source.js';
import type { RejectedRecord } from '../src/sources/reject.js';
import { parallelFixture, recordingSink } from './fixtures/parallel-support.js';
import { useTempDir } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const operator = { module: parallelFixture('parallel-counter'), config: {} };

const dir = useTempDir('parallel-rejects');

/** A small deterministic PRNG, so a failing input can be rebuilt from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const CSV_BAD = ['', 'hello', '1,a,b', '1.2.3,a', '256.1.1.1,a', '1,z', 'address,type', ' '];
const NDJSON_BAD = ['', '{', '[1]', '{"address":"1.2.3.4"}', '{"address":"1.2.3.4","type":"z"}', 'null'];

/** Lines of valid events (few addresses, so every chunk shares them) mixed with bad records. */
function lines(format: 'csv' | 'ndjson', seed: number, count: number): string {
  const next = random(seed);
  const bad = format === 'csv' ? CSV_BAD : NDJSON_BAD;
  const out: string[] = format === 'csv' ? ['address,type'] : [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    const address = `10.0.0.${Math.floor(next() * 5)}`;
    const type = EVENTS[Math.floor(next() * EVENTS.length)]!;
    if (roll < 0.15) out.push(bad[Math.floor(next() * bad.length)]!);
    else if (roll < 0.16) out.push(`${' '.repeat(MAX_LINE_BYTES + 10)}${address},a`);
    else out.push(format === 'csv' ? `${address},${type}` : JSON.stringify({ address, type }));
  }
  const eol = () => (next() < 0.3 ? '\r\n' : '\n');
  return out.map((line, i) => line + (i === out.length - 1 && seed % 2 === 0 ? '' : eol())).join('');
}

/** The sequential reader's rejected records: the reference for line numbers, offsets and order. */
async function sequentialRejects(path: string, format: InputFormat): Promise<RejectedRecord[]> {
  const records: RejectedRecord[] = [];
  const source = new RecordStreamSource(createReadStream(path, { highWaterMark: 4096 }), {
    format,
    eventNames: EVENTS,
    onReject: (record) => records.push(record),
  });
  for await (const _batch of source);
  return records;
}

async function parallelRejects(
  path: string,
  format: InputFormat,
  options: { chunkBytes: number; workers: number; sourceParallelism: number },
): Promise<RejectedRecord[]> {
  const records: RejectedRecord[] = [];
  await runJob({
    source: fileSource(path, {
      eventNames: EVENTS,
      format,
      chunkBytes: options.chunkBytes,
      keepRejected: true,
    }),
    operator,
    sink: recordingSink(),
    workers: options.workers,
    partitions: 16,
    sourceParallelism: options.sourceParallelism,
    onRejected: (record) => records.push(record),
  });
  return records;
}

const plain = (records: RejectedRecord[]) =>
  records.map(({ line, offset, reason, raw }) => ({
    line,
    offset,
    reason,
    raw: Buffer.from(raw).toString('latin1'),
  }));

describe('a parallel file source reports rejected records as the sequential reader does', () => {
  const cases = [
    ['csv', 1, 211, 0, 1],
    ['csv', 2, 97, 2, 3],
    ['csv', 3, 4096, 1, 2],
    ['ndjson', 4, 157, 2, 2],
    ['ndjson', 5, 1000, 0, 1],
  ] as const;
  it.each(cases)(
    '%s, seed %i, chunk %i bytes, workers %i, S %i: same lines, offsets, reasons, records, order',
    async (format, seed, chunkBytes, workers, sourceParallelism) => {
      const path = join(dir(), `rejects-${seed}.${format}`);
      await writeFile(path, lines(format, seed, 600));
      const reference = await sequentialRejects(path, format);
      expect(reference.length).toBeGreaterThan(20);
      expect(reference.some((record) => record.reason === 'line-too-long')).toBe(true);
      const records = await parallelRejects(path, format, { chunkBytes, workers, sourceParallelism });
      expect(plain(records)).toEqual(plain(reference));
    },
  );

  it('flink-binary: a truncated last record is reported with its byte offset and no line', async () => {
    const path = join(dir(), 'truncated.bin');
    const bytes = Buffer.alloc(8 * 50 + 5);
    for (let i = 0; i < 50; i++) {
      bytes.writeInt32LE(i % 7, i * 8);
      bytes.writeInt32LE(i % EVENTS.length, i * 8 + 4);
    }
    await writeFile(path, bytes);
    const reference = await sequentialRejects(path, 'flink-binary');
    expect(reference).toHaveLength(1);
    const records = await parallelRejects(path, 'flink-binary', {
      chunkBytes: 64,
      workers: 2,
      sourceParallelism: 2,
    });
    expect(plain(records)).toEqual(plain(reference));
    expect(records[0]).toMatchObject({ line: 0, offset: 400, reason: 'truncated-record' });
  });

  it('an onRejected that throws stops the job with its error, at the first bad record in file order', async () => {
    const path = join(dir(), 'strict.csv');
    await writeFile(path, lines('csv', 7, 400));
    const first = (await sequentialRejects(path, 'csv'))[0]!;
    const sink = recordingSink();
    const error = await runJob({
      source: fileSource(path, { eventNames: EVENTS, format: 'csv', chunkBytes: 128, keepRejected: true }),
      operator,
      sink,
      workers: 2,
      partitions: 16,
      sourceParallelism: 2,
      onRejected: (record) => {
        throw new BadRecordError(path, record.line, record.offset, record.reason);
      },
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as Error).message).toBe(`${path}:${first.line}: ${first.reason}`);
  });
});
