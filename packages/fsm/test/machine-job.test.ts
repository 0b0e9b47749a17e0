import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  CheckpointStore,
  type EventRecord,
  fromBatches,
  fromEvents,
  TextStreamSink,
} from '@statecraft/engine';
import { describe, expect, it } from 'vitest';
import {
  type Alert,
  compileMachine,
  createAlertFormatter,
  createMachineJob,
  fromGenerator,
  generateChunks,
  MachineDefinitionError,
  SEED_MACHINE,
} from '../src/index.js';
import { dotted, referenceAlerts } from './helpers.js';

const LOGIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../examples/machines/login.json');

function collector() {
  const alerts: Alert[] = [];
  return { alerts, onAlerts: (batch: Alert[]) => void alerts.push(...batch) };
}

describe('createMachineJob', () => {
  it("runs a preset over Flink's generator; the typed alerts are the reference machine's", async () => {
    const generator = { events: 50_000, seed: 3, errorRate: 0.01, splits: 4 };
    const machine = compileMachine(SEED_MACHINE);
    const expected = referenceAlerts(SEED_MACHINE, [...generateChunks({ machine, ...generator })]).map(
      (a): Alert => ({ address: dotted(a.address), state: a.state, event: a.event }),
    );
    expect(expected.length).toBeGreaterThan(50);
    const { alerts, onAlerts } = collector();
    const summary = await createMachineJob({
      machine: 'seed',
      source: fromGenerator(generator),
      onAlerts,
      workers: 2,
      partitions: 32,
    }).run();
    expect(alerts).toEqual(expected);
    expect(summary).toMatchObject({ events: 50_000, outputs: expected.length, interrupted: false });
  });

  it('with headStart, starts on the calling thread (hands over or ends first): the same alerts', async () => {
    // 39 chunks of 65,536 events: enough for a head start to start threads.
    const generator = { events: 2_500_000, seed: 9, errorRate: 0.001, splits: 8 };
    const run = async (options: { workers: number; headStart?: boolean }) => {
      const { alerts, onAlerts } = collector();
      const summary = await createMachineJob({
        machine: 'seed',
        source: fromGenerator(generator),
        onAlerts,
        partitions: 32,
        ...options,
      }).run();
      return { alerts, summary };
    };
    const inline = await run({ workers: 0 });
    expect(inline.alerts.length).toBeGreaterThan(100);
    const headStarted = await run({ workers: 2, headStart: true });
    expect(headStarted.alerts).toEqual(inline.alerts);
    // The threads take longer to boot than the first chunk takes here.
    expect(headStarted.summary.headStartChunks).toBeGreaterThan(0);
    const threadsOnly = await run({ workers: 2 });
    expect(threadsOnly.alerts).toEqual(inline.alerts);
    expect(threadsOnly.summary.headStartChunks).toBe(0);
  });

  it("takes events named by a custom machine's alphabet, from a .json file", async () => {
    async function* sessions(): AsyncGenerator<EventRecord> {
      yield { address: '10.0.0.1', type: 'login' };
      yield { address: '10.0.0.2', type: 'logout' }; // Anonymous -> logout: alert
      yield { address: '10.0.0.1', type: 'password-ok' };
      yield { address: '10.0.0.1', type: 'mfa-ok' }; // MfaPending -> mfa-ok: alert
      yield { address: '10.0.0.1', type: 'mfa-challenge' };
      yield { address: '10.0.0.1', type: 'mfa-ok' };
      yield { address: '10.0.0.1', type: 'session-refresh' };
      yield { address: '10.0.0.1', type: 'logout' }; // LoggedOut is terminal: the address is released
      yield { address: '10.0.0.1', type: 'lockout' }; // a fresh Anonymous -> lockout: alert
    }
    const { alerts, onAlerts } = collector();
    const summary = await createMachineJob({
      machine: LOGIN,
      source: fromEvents(sessions()),
      onAlerts,
      workers: 1,
    }).run();
    expect(alerts).toEqual([
      { address: '10.0.0.2', state: 'Anonymous', event: 'logout' },
      { address: '10.0.0.1', state: 'MfaPending', event: 'mfa-ok' },
      { address: '10.0.0.1', state: 'Anonymous', event: 'lockout' },
    ]);
    expect(summary).toMatchObject({ events: 9, outputs: 3, liveKeys: 0 });
  });

  it('takes a definition object and a columnar sink', async () => {
    const stream = new PassThrough();
    const text: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => text.push(chunk));
    const definition = {
      name: 'door',
      initial: 'closed',
      events: ['open', 'close'],
      states: { closed: { open: 'opened' }, opened: { close: 'closed' } },
    };
    const machine = compileMachine(definition);
    const formatter = createAlertFormatter(machine, 'csv');
    await createMachineJob({
      machine: definition,
      source: fromEvents([
        { address: 1, type: 'open' },
        { address: 1, type: 'open' },
        { address: 2, type: 'close' },
      ]),
      sink: new TextStreamSink(stream, { format: (c) => formatter.format(c), header: formatter.header() }),
      workers: 0,
    }).run();
    expect(Buffer.concat(text).toString()).toBe(
      'address,state,event\n0.0.0.1,opened,open\n0.0.0.2,closed,close\n',
    );
  });

  it('accepts columnar chunks as the source', async () => {
    const machine = compileMachine(SEED_MACHINE);
    const chunks = [...generateChunks({ machine, events: 5000, seed: 9, errorRate: 0.05, splits: 2 })];
    const { alerts, onAlerts } = collector();
    await createMachineJob({ machine, source: chunks, onAlerts, workers: 1 }).run();
    const fromSource = collector();
    await createMachineJob({
      machine,
      source: fromBatches(chunks),
      onAlerts: fromSource.onAlerts,
      workers: 1,
    }).run();
    expect(alerts.length).toBeGreaterThan(0);
    expect(fromSource.alerts).toEqual(alerts);
  });

  it('rejects an invalid machine with its located problems when run', async () => {
    const bad = structuredClone(SEED_MACHINE) as unknown as {
      states: Record<string, Record<string, unknown>>;
    };
    bad.states.W = { b: 'Q' };
    const job = createMachineJob({
      machine: bad as never,
      source: fromEvents([]),
      onAlerts: () => undefined,
    });
    const error = await job.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MachineDefinitionError);
    expect((error as Error).message).toBe('seed: states.W.b: unknown target state "Q"');
    expect(job.state).toBe('failed');
    await expect(
      createMachineJob({
        machine: join(LOGIN, '..', 'nope.json'),
        source: [],
        onAlerts: () => undefined,
      }).run(),
    ).rejects.toThrow('nope.json: no such file');
  });

  it('forgets idle addresses with stateTtl', async () => {
    // 10.0.0.1 goes to W, then idles for 4 events of other addresses; its b is valid in W only.
    const events: EventRecord[] = [
      { address: '10.0.0.1', type: 'a' },
      ...[2, 3, 4, 5].map((n) => ({ address: `10.0.0.${n}`, type: 'a' })),
      { address: '10.0.0.1', type: 'b' },
    ];
    const run = async (stateTtl?: { unit: 'events'; amount: number }) => {
      const { alerts, onAlerts } = collector();
      await createMachineJob({
        machine: 'seed',
        source: fromEvents(events),
        onAlerts,
        workers: 1,
        ...(stateTtl === undefined ? {} : { stateTtl }),
      }).run();
      return alerts;
    };
    expect(await run()).toEqual([]);
    expect(await run({ unit: 'events', amount: 10 })).toEqual([]);
    expect(await run({ unit: 'events', amount: 3 })).toEqual([
      { address: '10.0.0.1', state: 'Initial', event: 'b' },
    ]);
  });

  it('checkpoints, and resumes from a checkpoint: the alerts before it plus the resumed run are the whole run', async () => {
    const generator = { events: 2_000_000, seed: 5, errorRate: 0.001, splits: 8 };
    const whole = collector();
    await createMachineJob({
      machine: 'seed',
      source: fromGenerator(generator),
      onAlerts: whole.onAlerts,
      workers: 2,
    }).run();

    const dir = await mkdtemp(join(tmpdir(), 'statecraft-machine-job-'));
    try {
      const store = new CheckpointStore(dir);
      const first: Alert[] = [];
      const job = createMachineJob({
        machine: 'seed',
        source: fromGenerator(generator),
        onAlerts: (alerts) => {
          first.push(...alerts);
          if (first.length > whole.alerts.length / 2) job.stop();
        },
        checkpoint: { store, job: 'machine-job-test', everyEvents: 65_536 },
        workers: 2,
      });
      const stopped = await job.run();
      expect(stopped.interrupted).toBe(true);
      expect(stopped.checkpoints.taken).toBeGreaterThan(0);

      const checkpoint = store.loadNewest('machine-job-test').checkpoint!;
      expect(checkpoint.outputs).toBeLessThanOrEqual(first.length);
      const resumed = collector();
      const summary = await createMachineJob({
        machine: 'seed',
        source: fromGenerator(generator),
        onAlerts: resumed.onAlerts,
        resumeFrom: checkpoint,
        workers: 1,
        partitions: 64,
      }).run();
      expect(summary.resumedFromChunk).toBe(checkpoint.chunk);
      expect([...first.slice(0, checkpoint.outputs), ...resumed.alerts]).toEqual(whole.alerts);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wants exactly one of onAlerts and sink', () => {
    expect(() => createMachineJob({ machine: 'seed', source: [] })).toThrow(
      'give a machine job either onAlerts or sink',
    );
    expect(() =>
      createMachineJob({
        machine: 'seed',
        source: [],
        onAlerts: () => undefined,
        sink: { write: () => undefined },
      }),
    ).toThrow('give a machine job either onAlerts or sink');
  });

  it('stops gracefully, also when stopped before the machine is loaded', async () => {
    const early = createMachineJob({
      machine: LOGIN,
      source: fromGenerator({ events: 10_000_000, errorRate: 0.01 }),
      onAlerts: () => undefined,
      workers: 1,
    });
    const running = early.run();
    early.stop();
    expect(early.state).toBe('stopping');
    const summary = await running;
    expect(summary.interrupted).toBe(true);
    expect(summary.events).toBeLessThan(10_000_000);
    expect(early.state).toBe('done');

    let alertsSeen = 0;
    const job = createMachineJob({
      machine: 'seed',
      source: fromGenerator({ events: 10_000_000, errorRate: 0.01 }),
      onAlerts: (alerts) => {
        alertsSeen += alerts.length;
        if (alertsSeen > 100) job.stop();
      },
      workers: 2,
    });
    const stopped = await job.run();
    expect(stopped.interrupted).toBe(true);
    expect(stopped.outputs).toBe(alertsSeen);
    expect(stopped.events).toBeLessThan(10_000_000);
  });
});
