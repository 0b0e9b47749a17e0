import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRecordError, CsvSource, MAX_LINE_BYTES, REJECT_DESCRIPTIONS } from '../src/index.js';
import {
  bytesOf,
  cutAt,
  EVENTS,
  ip,
  oneByteBlocks,
  range,
  readSource,
  reference,
} from './csv-source-support.js';

describe('CsvSource: properties', () => {
  /** Random bytes, cut at random places, read with a random small chunk size. */
  const splitBytes = fc.record({
    input: fc.uint8Array({ maxLength: 600 }),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    chunkBytes: fc.integer({ min: 1, max: 64 }),
  });

  it('arbitrary bytes never throw, give in-range events, and match the reference reading', async () => {
    await fc.assert(
      fc.asyncProperty(splitBytes, async ({ input, cuts, chunkBytes }) => {
        const result = await readSource(cutAt(input, cuts), { chunkBytes });
        for (const [address, type] of result.events) {
          expect(Number.isInteger(address) && address >= 0 && address <= 0xffffffff).toBe(true);
          expect(type >= 0 && type < EVENTS.length).toBe(true);
        }
        const expected = reference(input);
        expect(result.events).toEqual(expected.events);
        expect(result.rejects).toEqual(expected.rejects);
      }),
      { numRuns: 300 },
    );
  });

  /** Lines built from tokens that make valid records, near misses and junk likely. */
  const token = fc.constantFrom(
    '0',
    '1',
    '25',
    '255',
    '256',
    '999',
    '1000',
    '4294967295',
    '4294967296',
    '.',
    '.',
    ',',
    ',',
    '-',
    ' ',
    '\t',
    '\r',
    'a',
    'g',
    'h',
    'ab',
    '\xff',
    '\xc3\x28',
    'address,type',
  );
  const tokenLine = fc.array(token, { maxLength: 10 }).map((tokens) => tokens.join(''));

  it('token-built lines, cut anywhere: the same events and rejects as the reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tokenLine, { maxLength: 40 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 48 }),
        async (lines, trailingNewline, cuts, chunkBytes) => {
          const input = bytesOf(lines.join('\n') + (trailingNewline ? '\n' : ''));
          const result = await readSource(cutAt(input, cuts), { chunkBytes });
          const expected = reference(input);
          expect(result.events).toEqual(expected.events);
          expect(result.rejects).toEqual(expected.rejects);
          expect(result.lines).toBe(expected.lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  const validRecord = fc
    .record({
      address: fc.integer({ min: 0, max: 0xffffffff }),
      dotted: fc.boolean(),
      type: fc.integer({ min: 0, max: EVENTS.length - 1 }),
      pad: fc.constantFrom('', ' ', '\t', '  '),
      crlf: fc.boolean(),
    })
    .map(({ address, dotted, type, pad, crlf }) => {
      const a = dotted ? [24, 16, 8, 0].map((s) => (address >>> s) & 255).join('.') : String(address);
      return {
        event: [address, type] as [number, number],
        text: `${pad}${a}${pad},${pad}${EVENTS[type]}${pad}${crlf ? '\r' : ''}`,
      };
    });
  /** Junk without newlines; the leading `#` makes it a record no reading accepts. */
  const garbage = fc
    .uint8Array({ maxLength: 80 })
    .map((bytes) => `#${Buffer.from(bytes.filter((b) => b !== 0x0a)).toString('latin1')}`);

  it('valid lines among random garbage lines are all recovered, in order; the garbage is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            validRecord.map((v) => ({ valid: v })),
            garbage.map((g) => ({ junk: g })),
          ),
          {
            maxLength: 60,
          },
        ),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 100 }),
        async (items, header, cuts, chunkBytes) => {
          const lines = items.map((item) => ('valid' in item ? item.valid.text : item.junk));
          if (header) lines.unshift('address,type');
          const input = bytesOf(lines.map((line) => `${line}\n`).join(''));
          const result = await readSource(cutAt(input, cuts), { chunkBytes });
          expect(result.events).toEqual(items.flatMap((item) => ('valid' in item ? [item.valid.event] : [])));
          const junkLines: number[] = [];
          items.forEach((item, i) => {
            if ('junk' in item) junkLines.push(i + 1 + (header ? 1 : 0));
          });
          expect(result.rejects.map((r) => r.line)).toEqual(junkLines);
          for (const r of result.rejects) expect(['column-count', 'bad-address']).toContain(r.reason);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('CsvSource: strict mode', () => {
  it('throws BadRecordError `name:line: reason` at the first bad record', async () => {
    const input = bytesOf('address,type\n1.2.3.4,a\n2,b\n300.0.0.1,c\n\n');
    for (const [name, blocks] of [
      ['events.csv', [input]],
      ['stdin', oneByteBlocks(input)],
    ] as const) {
      const source = new CsvSource(Readable.from(blocks.map((b) => Buffer.from(b))), {
        eventNames: EVENTS,
        name,
        strict: true,
        chunkBytes: 4,
      });
      const seen: number[] = [];
      const error = await (async () => {
        try {
          for await (const batch of source) seen.push(...batch.addresses.subarray(0, batch.count));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(BadRecordError);
      const bad = error as BadRecordError;
      expect(bad.message).toBe(`${name}:4: ${REJECT_DESCRIPTIONS['address-out-of-range']}`);
      expect(bad.code).toBe('BAD_RECORD');
      expect(bad.details).toEqual({ line: 4, offset: 'address,type\n1.2.3.4,a\n2,b\n'.length });
      expect(seen.every((a) => a === ip(1, 2, 3, 4) || a === 2)).toBe(true);
    }
  });

  it('names the input "input" by default', async () => {
    const source = new CsvSource(Readable.from([bytesOf('1,a\n\n')]), { eventNames: EVENTS, strict: true });
    await expect(
      (async () => {
        for await (const _ of source) {
          // drain
        }
      })(),
    ).rejects.toThrow(/^input:2: empty line$/);
  });

  it('throws for an over-long line too', async () => {
    const text = bytesOf(`1,a\n${'z'.repeat(MAX_LINE_BYTES * 2)}\n2,b\n`);
    const source = new CsvSource(Readable.from(cutAt(text, range(0, text.length, 1000))), {
      eventNames: EVENTS,
      strict: true,
      chunkBytes: 64,
      name: 'f',
    });
    await expect(
      (async () => {
        for await (const _ of source) {
          // drain
        }
      })(),
    ).rejects.toThrow(`f:2: ${REJECT_DESCRIPTIONS['line-too-long']}`);
  });

  it('arbitrary bytes: throws a BadRecordError at the first reference reject, or reads all (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (input, cuts) => {
          const expected = reference(input);
          const source = new CsvSource(Readable.from(cutAt(input, cuts).map((b) => Buffer.from(b))), {
            eventNames: EVENTS,
            strict: true,
            chunkBytes: 8,
            name: 'p',
          });
          let error: unknown;
          try {
            for await (const _ of source) {
              // drain
            }
          } catch (e) {
            error = e;
          }
          const first = expected.rejects[0];
          if (first === undefined) {
            expect(error).toBeUndefined();
          } else {
            expect(error).toBeInstanceOf(BadRecordError);
            expect((error as Error).message).toBe(`p:${first.line}: ${REJECT_DESCRIPTIONS[first.reason]}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
