import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BadRecordError, RecordStreamSource } from '../src/index.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

async function firstStrictError(bytes: Buffer, format: 'csv' | 'flink-binary'): Promise<unknown> {
  const source = new RecordStreamSource(Readable.from([bytes]), {
    format,
    eventNames: EVENTS,
    name: 'input.x',
    strict: true,
  });
  try {
    for await (const _batch of source) {
      // drain
    }
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('strict mode names where the bad record is', () => {
  it('by line for line formats', async () => {
    const error = await firstStrictError(Buffer.from('1.2.3.4,a\n1.2.3,b\n'), 'csv');
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).message).toBe(
      'input.x:2: address is not a dotted IPv4 address or a non-negative integer',
    );
  });

  it('by byte offset for binary records, which have no lines', async () => {
    const good = Buffer.from([1, 0, 0, 10, 0, 0, 0, 0]);
    const bad = Buffer.from([1, 0, 0, 10, 7, 0, 0, 0]);
    const error = await firstStrictError(Buffer.concat([good, good, bad]), 'flink-binary');
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).message).toBe('input.x: byte 16: unknown event type');
  });
});
