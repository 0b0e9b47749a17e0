import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, EXIT, linesOf, parseSummary, ROOT, runCli, useTempDir } from './helpers.js';

/** login → MFA → session → logout: ten events with multi-character names, eight states. */
const LOGIN = join(ROOT, 'examples/machines/login.json');
const STREAM = ['--events', '40000', '--seed', '11', '--error-rate', '0.05', '--machine', LOGIN];
const JOB = ['--workers', '2', '--partitions', '16'];
const INPUT_FORMATS = [
  ['csv', 'events.csv'],
  ['ndjson', 'events.ndjson'],
  ['flink-binary', 'events.bin'],
] as const;

const dir = useTempDir();
let definition: { events: string[]; states: Record<string, unknown> };
/** `run` over the generator with the login machine: the reference alerts. */
let reference: Buffer;

beforeAll(async () => {
  assertBuilt();
  definition = JSON.parse(await readFile(LOGIN, 'utf8'));
  for (const [format, name] of INPUT_FORMATS) {
    const generated = await runCli(['generate', ...STREAM, '--format', format, '--out', join(dir(), name)]);
    expect(generated.code, generated.stderr).toBe(EXIT.ok);
  }
  const run = await runCli(['run', ...STREAM, ...JOB]);
  expect(run.code, run.stderr).toBe(EXIT.ok);
  reference = run.stdout;
});

const ALERT = /^ALERT (\d+\.\d+\.\d+\.\d+) : (\S+) -> (\S+)$/;

describe('a custom machine with multi-character event names', () => {
  it('generates records named by the machine: every one of its ten events, in CSV and NDJSON', async () => {
    const csv = linesOf(await readFile(join(dir(), 'events.csv')));
    expect(csv[0]).toBe('address,type');
    expect(csv).toHaveLength(40_001);
    const csvEvents = new Set(csv.slice(1).map((line) => line.split(',')[1]));
    expect([...csvEvents].sort()).toEqual([...definition.events].sort());

    const ndjson = linesOf(await readFile(join(dir(), 'events.ndjson')));
    expect(ndjson).toHaveLength(40_000);
    const records = ndjson.map((line) => JSON.parse(line) as { address: string; type: string });
    expect(records.map((r) => `${r.address},${r.type}`)).toEqual(csv.slice(1));
  });

  it('writes binary records with type ordinals up to 9', async () => {
    const bytes = await readFile(join(dir(), 'events.bin'));
    expect(bytes.length).toBe(40_000 * 8);
    let maxType = 0;
    for (let i = 4; i < bytes.length; i += 8) maxType = Math.max(maxType, bytes.readInt32LE(i));
    expect(maxType).toBe(definition.events.length - 1);
  });

  it("raises alerts named by the machine's states and events, events past the seventh among them", () => {
    const states = new Set(Object.keys(definition.states));
    const alerts = linesOf(reference).map((line) => {
      const m = ALERT.exec(line);
      if (m === null) throw new Error(`not an alert: ${line}`);
      return { state: m[2]!, event: m[3]! };
    });
    expect(alerts.length).toBeGreaterThan(100);
    for (const alert of alerts) {
      expect(states.has(alert.state), alert.state).toBe(true);
      expect(definition.events).toContain(alert.event);
    }
    expect(alerts.some((a) => definition.events.indexOf(a.event) >= 7)).toBe(true);
    expect(alerts.some((a) => a.event.includes('-'))).toBe(true);
  });

  it.each(INPUT_FORMATS)(
    'run over the generated %s file gives the alerts of run over the generator',
    async (_format, name) => {
      const result = await runCli(['run', '--input', join(dir(), name), '--machine', LOGIN, ...JOB]);
      expect(result.code, result.stderr).toBe(EXIT.ok);
      expect(parseSummary(result.stderr)).toMatchObject({ events: 40_000, rejected: 0 });
      expect(result.stdout.equals(reference)).toBe(true);
    },
  );

  it('reads the same records from stdin (parsed in order on the main thread) and inline (--workers 0)', async () => {
    const csv = await readFile(join(dir(), 'events.csv'));
    const stdin = await runCli(['run', '--input', '-', '--machine', LOGIN, ...JOB], { stdin: csv });
    expect(stdin.code, stdin.stderr).toBe(EXIT.ok);
    expect(stdin.stdout.equals(reference)).toBe(true);
    const inline = await runCli([
      'run',
      '--input',
      join(dir(), 'events.ndjson'),
      '--machine',
      LOGIN,
      '--workers',
      '0',
    ]);
    expect(inline.code, inline.stderr).toBe(EXIT.ok);
    expect(inline.stdout.equals(reference)).toBe(true);
  });

  it('matches whole names only: a prefix, a longer name or another case is an unknown event', async () => {
    const path = join(dir(), 'hand.csv');
    await writeFile(
      path,
      [
        'address,type',
        '10.0.0.1,login',
        '10.0.0.1, password-ok ',
        '10.0.0.1,logout', // MfaPending has no logout: an alert
        '10.0.0.2,log',
        '10.0.0.2,logins',
        '10.0.0.2,Login',
        '10.0.0.2,l',
        '10.0.0.3,lockout', // Anonymous has no lockout: an alert, event code 9
        '',
      ].join('\n'),
    );
    const result = await runCli([
      'run',
      '--input',
      path,
      '--machine',
      LOGIN,
      '--workers',
      '1',
      '--format',
      'ndjson',
    ]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(linesOf(result.stdout).map((line) => JSON.parse(line))).toEqual([
      { address: '10.0.0.1', state: 'MfaPending', event: 'logout' },
      { address: '10.0.0.3', state: 'Anonymous', event: 'lockout' },
    ]);
    expect(parseSummary(result.stderr)).toMatchObject({ events: 4, alerts: 2, rejected: 4 });
    expect(result.stderr).toMatch(/rejected 4: .*\(unknown-event\)/);
  });

  it('takes NDJSON type fields and binary ordinals by the same names and codes', async () => {
    const ndjson = join(dir(), 'hand.ndjson');
    await writeFile(
      ndjson,
      [
        '{"address":"10.0.0.1","type":"login"}',
        '{"type":"password-fail","address":"10.0.0.1"}',
        '{"address":"10.0.0.1","type":"mfa-ok"}',
        '{"address":"10.0.0.1","type":"timeout"}',
        '',
      ].join('\n'),
    );
    const fromNdjson = await runCli(['run', '--input', ndjson, '--machine', LOGIN, '--workers', '1']);
    expect(fromNdjson.code, fromNdjson.stderr).toBe(EXIT.ok);
    expect(linesOf(fromNdjson.stdout)).toEqual([
      'ALERT 10.0.0.1 : Retry -> mfa-ok',
      'ALERT 10.0.0.1 : Retry -> timeout',
    ]);

    const binary = Buffer.alloc(5 * 8);
    const types = [0, 2, 4, 8, 10]; // login, password-fail, mfa-ok, timeout, and no such event
    types.forEach((type, i) => {
      binary.writeUInt32LE(0x0a000001, i * 8);
      binary.writeInt32LE(type, i * 8 + 4);
    });
    const bin = join(dir(), 'hand.bin');
    await writeFile(bin, binary);
    const fromBinary = await runCli(['run', '--input', bin, '--machine', LOGIN, '--workers', '1']);
    expect(fromBinary.code, fromBinary.stderr).toBe(EXIT.ok);
    expect(fromBinary.stdout.equals(fromNdjson.stdout)).toBe(true);
    expect(parseSummary(fromBinary.stderr)).toMatchObject({ events: 4, rejected: 1 });
  });
});
