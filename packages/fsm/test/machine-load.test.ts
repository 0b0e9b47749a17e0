import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMachine, MachineDefinitionError } from '../src/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statecraft-fsm-load-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The rejection of `loadMachine(name)`, asserted to be a MachineDefinitionError. */
async function loadError(name: string): Promise<MachineDefinitionError> {
  const error = await loadMachine(name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MachineDefinitionError);
  return error as MachineDefinitionError;
}

describe('loadMachine', () => {
  it('loads the presets by name', async () => {
    const seed = await loadMachine('seed');
    expect(seed.name).toBe('seed');
    // The seed preset has the Z -f-> Z loop, flink's does not.
    const z = seed.stateNames.indexOf('Z');
    const f = seed.eventNames.indexOf('f');
    expect(seed.stateNames[seed.transitions[z * 7 + f]!]).toBe('Z');
    const flink = await loadMachine('flink');
    expect(flink.name).toBe('flink');
    expect(flink.transitions[flink.stateNames.indexOf('Z') * 7 + f]).toBe(255);
  });

  it('loads and compiles a valid definition from a JSON file', async () => {
    const file = join(dir, 'door.json');
    const door = {
      name: 'door',
      initial: 'closed',
      events: ['open', 'close', 'lock', 'unlock', 'remove'],
      states: {
        closed: { open: 'opened', lock: 'locked', remove: 'gone' },
        opened: { close: 'closed' },
        locked: { unlock: 'closed' },
        gone: {},
      },
    };
    await writeFile(file, JSON.stringify(door, null, 2));
    const machine = await loadMachine(file);
    expect(machine.name).toBe('door');
    expect(machine.definition).toEqual(door);
    expect(machine.stateNames).toEqual(['closed', 'opened', 'locked', 'gone']);
    expect(machine.eventNames).toEqual(door.events);
    expect(machine.stateNames[machine.initial]).toBe('closed');
    expect(Array.from(machine.terminal)).toEqual([0, 0, 0, 1]);
    const next = (state: string, event: string) =>
      machine.transitions[machine.stateNames.indexOf(state) * 5 + door.events.indexOf(event)];
    expect(next('closed', 'lock')).toBe(machine.stateNames.indexOf('locked'));
    expect(next('locked', 'open')).toBe(255);
  });

  it('reports a missing file as "no such file", with the path as the source', async () => {
    const file = join(dir, 'missing.json');
    const error = await loadError(file);
    expect(error.issues).toEqual([{ path: '', message: 'no such file' }]);
    expect(error.message).toBe(`${file}: no such file`);
  });

  it('reports a file that cannot be read', async () => {
    const folder = join(dir, 'folder.json');
    await mkdir(folder);
    const error = await loadError(folder);
    expect(error.issues).toEqual([{ path: '', message: 'cannot be read' }]);
  });

  it('reports invalid JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "name": "broken", ');
    const error = await loadError(file);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe('');
    expect(error.issues[0]!.message).toMatch(/^not valid JSON: /);
    expect(error.message.startsWith(`${file}: not valid JSON`)).toBe(true);
  });

  it('reports an invalid definition in a file with its located issues', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'bad',
        initial: 'A',
        events: ['a', 'b'],
        states: { A: { a: 'B', b: 'T' }, T: {} },
      }),
    );
    const error = await loadError(file);
    expect(error.issues).toEqual([{ path: 'states.A.a', message: 'unknown target state "B"' }]);
    expect(error.message).toBe(`${file}: states.A.a: unknown target state "B"`);
  });

  it('reports an empty file as such', async () => {
    const file = join(dir, 'empty.json');
    await writeFile(file, ' \n');
    const error = await loadError(file);
    expect(error.issues).toEqual([{ path: '', message: 'the file is empty' }]);
  });

  it('names a state, a transition and a field the file repeats, which JSON.parse would drop', async () => {
    const file = join(dir, 'repeats.json');
    await writeFile(
      file,
      `{
        "name": "repeats", "name": "again",
        "initial": "A",
        "events": ["go", "stop"],
        "states": {
          "A": { "go": "B", "stop": "T", "go": "B" },
          "B": { "stop": "T" },
          "B": { "go": "T" },
          "T": {}
        }
      }`,
    );
    const error = await loadError(file);
    expect(error.issues).toEqual([
      { path: 'name', message: 'duplicate field "name" (JSON keeps only the last one)' },
      { path: 'states.A.go', message: 'duplicate transition on event "go" (JSON keeps only the last one)' },
      { path: 'states.B', message: 'duplicate state "B" (JSON keeps only the last one)' },
    ]);
    expect(error.message).toBe(
      `${file}: name: duplicate field "name" (JSON keeps only the last one) (and 2 more)`,
    );
  });

  it('reports repeated keys together with the other problems of the definition', async () => {
    const file = join(dir, 'repeats-and-more.json');
    await writeFile(
      file,
      '{"name":"x","initial":"A","events":["a"],"states":{"A":{"a":"Q","a":"T"},"T":{}}}',
    );
    const error = await loadError(file);
    // JSON.parse keeps `"a": "T"`, which is valid: only the repeat is reported.
    expect(error.issues.map((i) => i.path)).toEqual(['states.A.a']);
  });

  it.each([['nope'], ['Seed'], ['seed.yaml'], ['']])('rejects the unknown name %j', async (name) => {
    const error = await loadError(name);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe('');
    expect(error.issues[0]!.message).toContain('unknown machine (presets are seed, flink');
    expect(error.message.startsWith(`${name}: unknown machine`)).toBe(true);
  });

  it('rejects names of Object.prototype members as unknown machines too', async () => {
    // Known bug (src/machine/load.ts, `PRESETS[nameOrPath]`): the lookup reads inherited members,
    // so `constructor` compiles Object itself and reports "must be a JSON object" instead.
    for (const name of ['constructor', 'toString', '__proto__']) {
      const error = await loadError(name);
      expect(error.message, name).toMatch(new RegExp(`^${name}: unknown machine`));
    }
  });
});
