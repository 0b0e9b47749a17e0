import { formatAddress, type OutputColumns } from '@statecraft/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALERT_FORMATS,
  alertEvent,
  alertState,
  compileMachine,
  createAlertFormatter,
  decodeAlerts,
  encodeAlert,
  MAX_EVENTS,
  MAX_STATES,
  SEED_MACHINE,
} from '../src/index.js';
import { dotted } from './helpers.js';

const seed = compileMachine(SEED_MACHINE);
const state = (name: string) => seed.stateNames.indexOf(name);
const event = (name: string) => seed.eventNames.indexOf(name);

/** Output columns as the engine hands them to a sink, optionally with slack beyond `count`. */
function columns(rows: [address: number, state: string, event: string][], slack = 0): OutputColumns {
  const n = rows.length + slack;
  const out: OutputColumns = {
    count: rows.length,
    positions: new Uint32Array(n),
    keys: new Uint32Array(n).fill(0x01020304),
    codes: new Uint32Array(n).fill(encodeAlert(state('Y'), event('a'))),
  };
  rows.forEach(([address, s, e], i) => {
    out.positions[i] = i;
    out.keys[i] = address;
    out.codes[i] = encodeAlert(state(s), event(e));
  });
  return out;
}

const TEN_0_0_1 = (10 << 24) | 1;

describe('formatAddress', () => {
  it('writes dotted IPv4, most significant byte first', () => {
    expect(formatAddress(0)).toBe('0.0.0.0');
    expect(formatAddress(0xffffffff)).toBe('255.255.255.255');
    expect(formatAddress(TEN_0_0_1)).toBe('10.0.0.1');
    expect(formatAddress(0xc0a80001)).toBe('192.168.0.1');
    expect(formatAddress(0x7fffffff)).toBe('127.255.255.255');
    expect(formatAddress(0x80000000)).toBe('128.0.0.0');
    expect(formatAddress(0x00010203)).toBe('0.1.2.3');
  });

  it('agrees with byte-by-byte division for every uint32', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (address) => formatAddress(address) === dotted(address)),
      { numRuns: 2000 },
    );
  });
});

describe('alert codes', () => {
  it('round trip every state and event code', () => {
    for (let s = 0; s < MAX_STATES; s++) {
      for (let e = 0; e < MAX_EVENTS; e++) {
        const code = encodeAlert(s, e);
        if (alertState(code) !== s || alertEvent(code) !== e) {
          expect({ s, e, state: alertState(code), event: alertEvent(code) }).toEqual({
            s,
            e,
            state: s,
            event: e,
          });
        }
      }
    }
    expect(alertState(encodeAlert(254, 254))).toBe(254);
    expect(alertEvent(encodeAlert(254, 254))).toBe(254);
  });

  it('are distinct for distinct (state, event) pairs', () => {
    const seen = new Set<number>();
    for (let s = 0; s < MAX_STATES; s++) for (let e = 0; e < MAX_EVENTS; e++) seen.add(encodeAlert(s, e));
    expect(seen.size).toBe(MAX_STATES * MAX_EVENTS);
  });
});

describe('createAlertFormatter', () => {
  const sample = columns(
    [
      [TEN_0_0_1, 'W', 'c'],
      [0, 'Initial', 'g'],
      [0xffffffff, 'Z', 'a'],
    ],
    2,
  );

  it('lists the three formats', () => {
    expect([...ALERT_FORMATS]).toEqual(['text', 'csv', 'ndjson']);
  });

  it("writes Flink's text form, one line per alert, no header", () => {
    const text = createAlertFormatter(seed, 'text');
    expect(text.header()).toBe('');
    expect(text.format(columns([[TEN_0_0_1, 'W', 'c']]))).toBe('ALERT 10.0.0.1 : W -> c\n');
    expect(text.format(sample)).toBe(
      'ALERT 10.0.0.1 : W -> c\nALERT 0.0.0.0 : Initial -> g\nALERT 255.255.255.255 : Z -> a\n',
    );
  });

  it('writes csv with a header line once', () => {
    const csv = createAlertFormatter(seed, 'csv');
    expect(csv.header()).toBe('address,state,event\n');
    expect(csv.format(sample)).toBe('10.0.0.1,W,c\n0.0.0.0,Initial,g\n255.255.255.255,Z,a\n');
  });

  it('writes ndjson lines that parse to {address, state, event}', () => {
    const ndjson = createAlertFormatter(seed, 'ndjson');
    expect(ndjson.header()).toBe('');
    const out = ndjson.format(sample);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { address: '10.0.0.1', state: 'W', event: 'c' },
      { address: '0.0.0.0', state: 'Initial', event: 'g' },
      { address: '255.255.255.255', state: 'Z', event: 'a' },
    ]);
  });

  it('writes nothing for no alerts', () => {
    for (const format of ALERT_FORMATS)
      expect(createAlertFormatter(seed, format).format(columns([]))).toBe('');
  });

  it('uses the names of a custom machine, escaped properly in ndjson', () => {
    const custom = compileMachine({
      name: 'custom',
      initial: 'at/home',
      events: ['go:out', 'come+back'],
      states: { 'at/home': { 'go:out': 'away#1' }, 'away#1': { 'come+back': 'done' }, done: {} },
    });
    const cols: OutputColumns = {
      count: 1,
      positions: Uint32Array.of(0),
      keys: Uint32Array.of(0x7f000001),
      codes: Uint32Array.of(encodeAlert(1, 0)),
    };
    expect(createAlertFormatter(custom, 'text').format(cols)).toBe('ALERT 127.0.0.1 : away#1 -> go:out\n');
    expect(createAlertFormatter(custom, 'csv').format(cols)).toBe('127.0.0.1,away#1,go:out\n');
    expect(JSON.parse(createAlertFormatter(custom, 'ndjson').format(cols))).toEqual({
      address: '127.0.0.1',
      state: 'away#1',
      event: 'go:out',
    });
  });
});

describe('decodeAlerts', () => {
  it('decodes columns into {address, state, event}, honouring count', () => {
    expect(
      decodeAlerts(
        seed,
        columns(
          [
            [TEN_0_0_1, 'W', 'c'],
            [0xc0a80001, 'X', 'e'],
          ],
          3,
        ),
      ),
    ).toEqual([
      { address: '10.0.0.1', state: 'W', event: 'c' },
      { address: '192.168.0.1', state: 'X', event: 'e' },
    ]);
    expect(decodeAlerts(seed, columns([]))).toEqual([]);
  });

  it('agrees with every formatter on random alerts', () => {
    const row = fc.tuple(
      fc.nat({ max: 0xffffffff }),
      fc.constantFrom(...seed.stateNames),
      fc.constantFrom(...seed.eventNames),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const cols = columns(rows, 1);
        const alerts = decodeAlerts(seed, cols);
        expect(alerts).toEqual(rows.map(([a, s, e]) => ({ address: dotted(a), state: s, event: e })));
        expect(createAlertFormatter(seed, 'text').format(cols)).toBe(
          alerts.map((a) => `ALERT ${a.address} : ${a.state} -> ${a.event}\n`).join(''),
        );
        expect(createAlertFormatter(seed, 'csv').format(cols)).toBe(
          alerts.map((a) => `${a.address},${a.state},${a.event}\n`).join(''),
        );
        const ndjson = createAlertFormatter(seed, 'ndjson').format(cols);
        expect(
          ndjson
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line)),
        ).toEqual(alerts);
      }),
      { numRuns: 200 },
    );
  });
});
