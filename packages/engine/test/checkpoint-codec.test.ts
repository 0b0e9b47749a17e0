import { crc32 } from 'node:zlib';
import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT_VERSION, type Checkpoint } from '../src/checkpoint/checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint/checkpoint-codec.js';
import { CheckpointError } from '../src/checkpoint/checkpoint-errors.js';
import { StatecraftError } from '../src/errors.js';
import { sampleCheckpoint } from './fixtures/checkpoint-samples.js';

const HEADER_BYTES = 24;

function decodeError(bytes: Uint8Array): CheckpointError {
  try {
    decodeCheckpoint(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toBeInstanceOf(StatecraftError);
    expect((error as CheckpointError).code).toBe('CHECKPOINT_INVALID');
    return error as CheckpointError;
  }
  throw new Error('the bytes decoded');
}

/** Rewrites the header's CRC so that a changed body passes the checksum and reaches the shape checks. */
function withValidCrc(bytes: Uint8Array): Buffer {
  const file = Buffer.from(bytes);
  file.writeUInt32LE(crc32(file.subarray(HEADER_BYTES)), 12);
  return file;
}

describe('checkpoint encoding', () => {
  it.each([
    ['with TTL stamps', true],
    ['without stamps', false],
  ])('round-trips every field %s, typed arrays intact', (_label, stamped) => {
    const checkpoint = sampleCheckpoint({ keys: 1000, stamped, seed: 3 });
    const decoded = decodeCheckpoint(encodeCheckpoint(checkpoint));
    expect(decoded).toEqual(checkpoint);
    expect(decoded.keyed.keys).toBeInstanceOf(Uint32Array);
    expect(decoded.keyed.values).toBeInstanceOf(Uint32Array);
    if (stamped) expect(decoded.keyed.stamps).toBeInstanceOf(Float64Array);
    else expect(decoded.keyed.stamps).toBeUndefined();
    for (const split of decoded.splits) expect(split.state).toBeInstanceOf(Uint8Array);
  });

  it('keeps the values of typed arrays that are views into a larger buffer (offset, not aligned)', () => {
    const backing = new ArrayBuffer(4 * 20 + 8 * 10 + 16);
    const keys = new Uint32Array(backing, 4, 10);
    const values = new Uint32Array(backing, 48, 10);
    const stamps = new Float64Array(backing, 96, 10);
    for (let i = 0; i < 10; i++) {
      keys[i] = 0xffffffff - i;
      values[i] = i * 3;
      stamps[i] = i === 0 ? 2 ** 53 - 1 : i / 7;
    }
    const checkpoint = sampleCheckpoint({ keys: 0, stamped: true, seed: 1 });
    checkpoint.keyed = { keys, values, stamps };
    const decoded = decodeCheckpoint(encodeCheckpoint(checkpoint));
    expect(Array.from(decoded.keyed.keys)).toEqual(Array.from(keys));
    expect(Array.from(decoded.keyed.values)).toEqual(Array.from(values));
    expect(Array.from(decoded.keyed.stamps!)).toEqual(Array.from(stamps));
  });

  it('round-trips an empty state and no splits (a checkpoint before any key was seen)', () => {
    const checkpoint = sampleCheckpoint({ keys: 0, stamped: false, seed: 1 });
    checkpoint.splits = [];
    expect(decodeCheckpoint(encodeCheckpoint(checkpoint))).toEqual(checkpoint);
  });

  it('writes a 24-byte header: magic, version, CRC-32 of the body, body length', () => {
    const bytes = Buffer.from(encodeCheckpoint(sampleCheckpoint({ keys: 50, stamped: false, seed: 2 })));
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('SCRFTCKP');
    expect(bytes.readUInt32LE(8)).toBe(CHECKPOINT_FORMAT_VERSION);
    expect(bytes.readUInt32LE(12)).toBe(crc32(bytes.subarray(HEADER_BYTES)));
    expect(Number(bytes.readBigUInt64LE(16))).toBe(bytes.length - HEADER_BYTES);
  });
});

describe('a damaged checkpoint is refused with a reason', () => {
  const good = encodeCheckpoint(sampleCheckpoint({ keys: 300, stamped: true, seed: 9 }));

  it.each([0, 10, HEADER_BYTES - 1])('a file of %i bytes (shorter than the header)', (length) => {
    expect(decodeError(good.subarray(0, length)).message).toMatch(/^truncated/);
  });

  it.each([HEADER_BYTES, HEADER_BYTES + 1, 1000])('a file cut after %i bytes', (length) => {
    expect(decodeError(good.subarray(0, length)).message).toMatch(
      new RegExp(`^truncated: body has ${length - HEADER_BYTES} of ${good.length - HEADER_BYTES} bytes`),
    );
  });

  it('a file with bytes appended', () => {
    const longer = Buffer.concat([good, Buffer.from([0])]);
    expect(decodeError(longer).message).toMatch(/^truncated: body has/);
  });

  it('any flipped bit in the body: checksum mismatch', () => {
    for (const offset of [HEADER_BYTES, HEADER_BYTES + 17, Math.floor(good.length / 2), good.length - 1]) {
      for (const bit of [0, 7]) {
        const flipped = Buffer.from(good);
        flipped[offset]! ^= 1 << bit;
        expect(decodeError(flipped).message, `byte ${offset} bit ${bit}`).toBe('checksum mismatch');
      }
    }
  });

  it('a flipped bit in the stored checksum: checksum mismatch', () => {
    const flipped = Buffer.from(good);
    flipped[13]! ^= 0x10;
    expect(decodeError(flipped).message).toBe('checksum mismatch');
  });

  it('another format version, older or newer', () => {
    for (const version of [0, CHECKPOINT_FORMAT_VERSION + 1, 0xffffffff]) {
      const other = Buffer.from(good);
      other.writeUInt32LE(version, 8);
      expect(decodeError(other).message).toBe(
        `format version ${version}; this build reads version ${CHECKPOINT_FORMAT_VERSION}`,
      );
    }
  });

  it('wrong magic: not a Statecraft checkpoint', () => {
    const other = Buffer.from(good);
    other.write('SCRFTCKQ', 0, 'latin1');
    expect(decodeError(other).message).toBe('not a Statecraft checkpoint');
    expect(decodeError(Buffer.from('hello, this is some text file of some length')).message).toBe(
      'not a Statecraft checkpoint',
    );
  });

  it('a body that passes the checksum but is not MessagePack: undecodable', () => {
    const garbage = Buffer.alloc(HEADER_BYTES + 3);
    good.subarray(0, HEADER_BYTES).forEach((byte, i) => {
      garbage[i] = byte;
    });
    garbage.writeBigUInt64LE(3n, 16);
    garbage.set([0xc1, 0xc1, 0xc1], HEADER_BYTES); // 0xc1 is never used in MessagePack
    expect(decodeError(withValidCrc(garbage)).message).toMatch(/^undecodable body: /);
  });

  it('a well-formed body with a missing field or a column of the wrong length', () => {
    const frame = (body: unknown) => {
      const encoded = encode(body);
      const file = Buffer.alloc(HEADER_BYTES + encoded.byteLength);
      good.subarray(0, HEADER_BYTES).forEach((byte, i) => {
        file[i] = byte;
      });
      file.writeBigUInt64LE(BigInt(encoded.byteLength), 16);
      file.set(encoded, HEADER_BYTES);
      return withValidCrc(file);
    };
    const base = decodeCheckpoint(good);
    const body = {
      ...base,
      keyed: {
        keys: new Uint8Array(base.keyed.keys.buffer),
        values: new Uint8Array(base.keyed.values.buffer),
      },
    };
    expect(decodeCheckpoint(frame(body)).keyed.keys).toEqual(base.keyed.keys);
    const { chunk: _chunk, ...noChunk } = body;
    expect(decodeError(frame(noChunk)).message).toBe('field chunk is missing');
    expect(decodeError(frame({ ...body, job: 7 })).message).toBe('field job is missing');
    expect(decodeError(frame({ ...body, keyed: { keys: body.keyed.keys } })).message).toBe(
      'field keyed is missing',
    );
    expect(
      decodeError(frame({ ...body, keyed: { ...body.keyed, values: body.keyed.values.subarray(4) } }))
        .message,
    ).toBe('keyed state columns differ in length');
    expect(
      decodeError(frame({ ...body, keyed: { ...body.keyed, keys: body.keyed.keys.subarray(1) } })).message,
    ).toBe('keyed.keys is not a whole number of elements');
    expect(decodeError(frame({ ...body, splits: [{ split: 1 }] })).message).toBe(
      'a split state is malformed',
    );
  });
});

describe('the decoded checkpoint is independent of the file bytes', () => {
  it('changing the file after decoding changes nothing in the checkpoint', () => {
    const checkpoint: Checkpoint = sampleCheckpoint({ keys: 20, stamped: true, seed: 4 });
    const bytes = encodeCheckpoint(checkpoint);
    const decoded = decodeCheckpoint(bytes);
    bytes.fill(0);
    expect(decoded).toEqual(checkpoint);
  });
});
