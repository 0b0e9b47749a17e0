import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputColumns } from '@statecraft/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import type { RecordProducer } from '../src/client/client.js';
import { decodeAddressKey } from '../src/codec/address-key.js';
import { AlertFileSink } from '../src/sinks/alert-file-sink.js';
import { AlertTopicSink, SOURCE_HEADERS } from '../src/sinks/alert-topic-sink.js';
import { PartitionFilesSink } from '../src/sinks/partition-files-sink.js';
import { ChunkLedger } from '../src/source/chunk-ledger.js';
import { GroupMembership } from '../src/source/group-membership.js';
import { PartitionSplit } from '../src/source/partition-split.js';
import { readRaw, testClient } from './helpers.js';

/** Alerts as lines `address:code` (a stand-in for the alert formats the CLI plugs in). */
const format = {
  header: () => 'address,code\n',
  format(columns: OutputColumns): string {
    let out = '';
    for (let i = 0; i < columns.count; i++) out += `${columns.keys[i]},${columns.codes[i]}\n`;
    return out;
  },
};

function columns(rows: readonly [position: number, key: number, code: number][]): OutputColumns {
  return {
    count: rows.length,
    positions: Uint32Array.from(rows.map((r) => r[0])),
    keys: Uint32Array.from(rows.map((r) => r[1])),
    codes: Uint32Array.from(rows.map((r) => r[2])),
  };
}

/** A ledger holding chunks of the given partitions, event i of each at offset base + i. */
function ledgerOf(chunks: readonly { partition: number; base: number }[]): ChunkLedger {
  const ledger = new ChunkLedger();
  for (const { partition, base } of chunks) {
    const offsets = Float64Array.from({ length: 10 }, (_, i) => base + i);
    ledger.add({
      split: new PartitionSplit(partition, Number.POSITIVE_INFINITY),
      offsets,
      nextOffset: base + 10,
    });
  }
  return ledger;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statecraft-kafka-sinks-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AlertTopicSink', () => {
  it('sends one record per alert, keyed by address, with the source partition and offset in its headers', async () => {
    const topic = TEST_TOPICS.sinkAlerts.name;
    const producer: RecordProducer = testClient().producer();
    await producer.connect();
    try {
      const ledger = ledgerOf([
        { partition: 2, base: 500 },
        { partition: 0, base: 70 },
      ]);
      const sink = new AlertTopicSink(producer, topic, 'events', (c) => format.format(c), ledger);
      await sink.write(
        0,
        columns([
          [3, 0x0a000001, 5],
          [7, 0x0a000002, 6],
        ]),
      );
      await sink.write(1, columns([[0, 0x0a000001, 9]]));
    } finally {
      await producer.disconnect();
    }
    const records = await readRaw(topic, 3);
    const seen = records
      .map((r) => ({
        address: decodeAddressKey(r.key),
        value: r.value.toString(),
        source: [
          r.headers[SOURCE_HEADERS.topic],
          r.headers[SOURCE_HEADERS.partition],
          r.headers[SOURCE_HEADERS.offset],
        ],
        partition: r.partition,
      }))
      .sort((a, b) => a.value.localeCompare(b.value));
    expect(seen.map(({ address, value, source }) => ({ address, value, source }))).toEqual([
      { address: 0x0a000001, value: `${0x0a000001},5`, source: ['events', '2', '503'] },
      { address: 0x0a000001, value: `${0x0a000001},9`, source: ['events', '0', '70'] },
      { address: 0x0a000002, value: `${0x0a000002},6`, source: ['events', '2', '507'] },
    ]);
    // Keyed by address: both alerts of 10.0.0.1 are in one partition.
    const first = seen.filter((r) => r.address === 0x0a000001).map((r) => r.partition);
    expect(new Set(first).size).toBe(1);
  });
});

describe('PartitionFilesSink', () => {
  it("writes each chunk's alerts to its Kafka partition's file, appending across sinks, header once", async () => {
    const out = join(dir, 'by-partition');
    const first = new PartitionFilesSink(
      out,
      'csv',
      format,
      ledgerOf([
        { partition: 3, base: 0 },
        { partition: 1, base: 0 },
      ]),
      new GroupMembership(),
    );
    await first.open();
    await first.write(0, columns([[0, 11, 1]]));
    await first.write(1, columns([[0, 22, 2]]));
    await first.close();
    // A later owner of partition 3 (another run, another process) appends to the same file.
    const second = new PartitionFilesSink(
      out,
      'csv',
      format,
      ledgerOf([{ partition: 3, base: 10 }]),
      new GroupMembership(),
    );
    await second.write(0, columns([[4, 33, 3]]));
    await second.close();
    expect(await readFile(join(out, 'partition-3.csv'), 'utf8')).toBe('address,code\n11,1\n33,3\n');
    expect(await readFile(join(out, 'partition-1.csv'), 'utf8')).toBe('address,code\n22,2\n');
  });

  it('fails with a one-line SinkError when the directory cannot be made', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const sink = new PartitionFilesSink(
      join(file, 'alerts'),
      'txt',
      format,
      ledgerOf([]),
      new GroupMembership(),
    );
    await expect(sink.open()).rejects.toMatchObject({
      code: 'SINK_FAILED',
      message: expect.stringMatching(/^cannot create .*a-file\/alerts: /),
    });
  });
});

describe('AlertFileSink', () => {
  it('appends to its file and writes the header only into an empty file', async () => {
    const path = join(dir, 'alerts.csv');
    for (const code of [1, 2]) {
      const sink = new AlertFileSink(path, format);
      await sink.open();
      await sink.write(0, columns([[0, 5, code]]));
      await sink.close();
    }
    expect(await readFile(path, 'utf8')).toBe('address,code\n5,1\n5,2\n');
  });
});
