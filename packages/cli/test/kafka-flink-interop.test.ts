import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { assertBuilt, EXIT, linesOf, parseSummary, runCli, stderrProblems, useTempDir } from './helpers.js';
import { bootstrap, byPartition, FAST, produceRaw, readRaw, uniqueGroup } from './kafka-helpers.js';

const IN = TEST_TOPICS.flinkIn.name;
const OUT = TEST_TOPICS.flinkOut.name;

/** Flink's EventDeSerializationSchema.serialize: ByteBuffer.allocate(8).order(LITTLE_ENDIAN).putInt(0, address).putInt(4, type.ordinal()). */
function flinkSerialize(address: number, typeOrdinal: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeInt32LE(address | 0, 0);
  buffer.writeInt32LE(typeOrdinal, 4);
  return buffer;
}

/** Flink's EventDeSerializationSchema.deserialize: the same layout, read back as Java ints. */
function flinkDeserialize(value: Buffer): { address: number; typeOrdinal: number } {
  if (value.length !== 8) throw new Error(`a Flink event is 8 bytes, got ${value.length}`);
  return { address: value.readInt32LE(0), typeOrdinal: value.readInt32LE(4) };
}

const A = 0;
const B = 1;
const C = 2;

const dir = useTempDir();

beforeAll(async () => {
  assertBuilt();
  // As a Flink job writing with EventDeSerializationSchema would (unkeyed, one event per record):
  // 10.0.0.1 does a then c (W -> c), 192.168.0.1 (a negative Java int) c then a (X -> a),
  // 255.255.255.255 starts with b (Initial -> b); and one record with an ordinal no event has.
  await produceRaw(IN, [
    { partition: 0, value: flinkSerialize(0x0a000001, A) },
    { partition: 1, value: flinkSerialize(0xc0a80001, C) },
    { partition: 0, value: flinkSerialize(0x0a000001, C) },
    { partition: 1, value: flinkSerialize(0xc0a80001, A) },
    { partition: 1, value: flinkSerialize(0xffffffff, B) },
    { partition: 1, value: flinkSerialize(0x0a000002, 9) },
  ]);
});

describe("Flink's 8-byte little-endian event records", () => {
  it('are read by run, and a record with an unknown ordinal is counted as rejected', async () => {
    const result = await runCli([
      'run',
      '--brokers',
      bootstrap(),
      '--topic',
      IN,
      '--group',
      uniqueGroup('flink-in'),
      '--until-end',
      ...FAST,
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(linesOf(result.stdout).sort()).toEqual([
      'ALERT 10.0.0.1 : W -> c',
      'ALERT 192.168.0.1 : X -> a',
      'ALERT 255.255.255.255 : Initial -> b',
    ]);
    expect(parseSummary(result.stderr)).toMatchObject({ events: 5, alerts: 3, rejected: 1 });
    expect(result.stderr).toMatch(/rejected 1: unknown event type \(unknown-event\)/);
  });

  it('with --strict, the first bad record stops the run (exit 65), named by partition and offset', async () => {
    const args = ['run', '--brokers', bootstrap(), '--topic', IN, '--group', uniqueGroup('flink-strict')];
    const result = await runCli([...args, '--until-end', '--strict', ...FAST]);
    expect(result.code, result.stderr).toBe(EXIT.badRecord);
    expect(stderrProblems(result.stderr)).toEqual([]);
    expect(result.stderr).toBe(`statecraft: topic ${IN} partition 1 offset 3: unknown event type\n`);
  });

  it("are what produce writes: each record decodes with Flink's layout to generate's event, keyed by address", async () => {
    const stream = ['--events', '20000', '--seed', '5', '--error-rate', '0.01'];
    const produced = await runCli([
      'produce',
      '--brokers',
      bootstrap(),
      '--topic',
      OUT,
      ...stream,
      '--quiet',
    ]);
    expect(produced.code, produced.stderr).toBe(EXIT.ok);
    expect(produced.stderr).toBe('');
    const csv = join(dir(), 'events.csv');
    const generated = await runCli(['generate', ...stream, '--out', csv]);
    expect(generated.code, generated.stderr).toBe(EXIT.ok);

    // generate's events per address, in stream order.
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const expected = new Map<number, number[]>();
    for (const line of linesOf(await readFile(csv, 'utf8')).slice(1)) {
      const [dotted, type] = line.split(',');
      const address = dotted!.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) | 0;
      expected.set(address, [...(expected.get(address) ?? []), names.indexOf(type!)]);
    }
    // The topic's records decoded as Flink does, per address in offset order.
    const actual = new Map<number, number[]>();
    for (const [, records] of byPartition(await readRaw(OUT, 20_000))) {
      for (const record of records.sort((a, b) => a.offset - b.offset)) {
        const { address, typeOrdinal } = flinkDeserialize(record.value);
        expect(record.key?.readInt32BE(0)).toBe(address);
        actual.set(address, [...(actual.get(address) ?? []), typeOrdinal]);
      }
    }
    expect(actual).toEqual(expected);
  });
});
