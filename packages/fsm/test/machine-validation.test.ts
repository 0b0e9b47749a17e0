import { describe, expect, it } from 'vitest';
import {
  compileMachine,
  FLINK_MACHINE,
  formatIssue,
  isMachineDefinitionError,
  MAX_EVENTS,
  MAX_STATES,
  MachineDefinitionError,
  type MachineIssue,
  SEED_MACHINE,
  validateMachine,
} from '../src/index.js';

/** A fresh, mutable copy of the seed definition (as plain JSON-like data). */
// biome-ignore lint/suspicious/noExplicitAny: definitions under test are deliberately malformed
type Loose = Record<string, any>;
const seed = (): Loose => structuredClone(SEED_MACHINE) as unknown as Loose;

const errorsOf = (input: unknown): MachineIssue[] => validateMachine(input).errors;

/** Asserts the definition has exactly one error, at `path`, whose message contains `text`. */
function expectOnlyError(input: unknown, path: string, text: string): void {
  const { errors } = validateMachine(input);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.path).toBe(path);
  expect(errors[0]!.message).toContain(text);
}

describe('validateMachine: the presets', () => {
  it('accepts the seed and flink presets with no errors and no warnings', () => {
    expect(validateMachine(SEED_MACHINE)).toEqual({ errors: [], warnings: [] });
    expect(validateMachine(FLINK_MACHINE)).toEqual({ errors: [], warnings: [] });
  });

  it('accepts the JSON round trip of the presets (a definition is plain data)', () => {
    expect(validateMachine(JSON.parse(JSON.stringify(SEED_MACHINE)))).toEqual({ errors: [], warnings: [] });
  });
});

describe('validateMachine: shape', () => {
  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'seed'],
    ['an array', [SEED_MACHINE]],
    ['undefined', undefined],
  ])('rejects %s as a definition', (_label, input) => {
    expectOnlyError(input, '', 'must be a JSON object');
  });

  it('rejects a missing name', () => {
    const machine = seed();
    delete machine.name;
    expectOnlyError(machine, 'name', 'non-empty string');
  });

  it.each([[''], ['   '], [7]])('rejects the name %j', (name) => {
    const machine = seed();
    machine.name = name;
    expectOnlyError(machine, 'name', 'non-empty string');
  });
});

describe('validateMachine: an empty machine and stray fields', () => {
  it('rejects an empty object with one message naming the fields a machine needs', () => {
    expect(errorsOf({})).toEqual([
      { path: '', message: 'empty machine: a definition needs name, initial, events and states' },
    ]);
  });

  it('rejects a machine with a name but no events and no states, naming both', () => {
    expect(errorsOf({ name: 'empty', initial: 'A', events: [], states: {} }).map((e) => e.path)).toEqual([
      'events',
      'states',
    ]);
  });

  it('rejects an unexpected top-level field, located by its name', () => {
    const machine = seed();
    machine.transitions = {};
    expectOnlyError(machine, 'transitions', 'unexpected field "transitions"');
  });

  it('accepts $schema and a description, and rejects a description that is not a string', () => {
    const machine = seed();
    machine.$schema = './machine.schema.json';
    machine.description = 'the seed machine';
    expect(validateMachine(machine)).toEqual({ errors: [], warnings: [] });
    machine.description = 7;
    expectOnlyError(machine, 'description', 'must be a string');
  });
});

describe('validateMachine: events', () => {
  it.each([
    ['missing', undefined],
    ['a string', 'abcdefg'],
    ['an object', { a: 0 }],
    ['empty', []],
  ])('rejects events that are %s', (_label, events) => {
    const machine = seed();
    machine.events = events;
    expectOnlyError(machine, 'events', 'must be a non-empty array of event names');
  });

  it.each([
    ['a space', 'b c', '"b c" is not a valid event name'],
    ['a comma', 'b,c', '"b,c" is not a valid event name'],
    ['a quote', 'b"', 'is not a valid event name'],
    ['the empty name', '', '"" is not a valid event name'],
    ['a number', 3, '3 is not a valid event name'],
  ])('rejects an event name with %s at its index', (_label, name, text) => {
    const machine = seed();
    machine.events[1] = name;
    expectOnlyError(machine, 'events[1]', text);
  });

  it('rejects a duplicate event at the index of the second occurrence', () => {
    const machine = seed();
    machine.events = ['a', 'b', 'c', 'd', 'a', 'f', 'g'];
    expect(errorsOf(machine)).toEqual([{ path: 'events[4]', message: 'duplicate event "a"' }]);
  });

  it('reports every bad event, each at its own index', () => {
    const machine = seed();
    machine.events = ['a', 'b', 'b', 'd', 'e e', 'f', 'g'];
    expect(errorsOf(machine).map((e) => e.path)).toEqual(['events[2]', 'events[4]']);
  });

  it(`accepts ${MAX_EVENTS} events and rejects ${MAX_EVENTS + 1}`, () => {
    const events = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
    const machine = (n: number) => ({
      name: 'many-events',
      initial: 'I',
      events: events(n),
      states: { I: { e0: 'T' }, T: {} },
    });
    expect(validateMachine(machine(MAX_EVENTS))).toEqual({ errors: [], warnings: [] });
    expectOnlyError(machine(MAX_EVENTS + 1), 'events', `${MAX_EVENTS + 1} events; at most ${MAX_EVENTS}`);
  });
});

describe('validateMachine: states', () => {
  it.each([
    ['missing', undefined],
    ['empty', {}],
    ['an array', [{ a: 'W' }]],
    ['a string', 'Initial'],
  ])('rejects states that are %s', (_label, states) => {
    const machine = seed();
    machine.states = states;
    expectOnlyError(machine, 'states', 'must be a non-empty object of states');
  });

  it('rejects an invalid state name, located by the name', () => {
    const machine = seed();
    machine.states['W X'] = {};
    expectOnlyError(machine, 'states.W X', '"W X" is not a valid state name');
  });

  it(`accepts ${MAX_STATES} states and rejects ${MAX_STATES + 1}`, () => {
    const chain = (n: number) => {
      const states: Record<string, Record<string, string>> = {};
      for (let i = 0; i < n - 1; i++) states[`S${i}`] = { a: `S${i + 1}` };
      states[`S${n - 1}`] = {};
      return { name: 'chain', initial: 'S0', events: ['a'], states };
    };
    expect(validateMachine(chain(MAX_STATES))).toEqual({ errors: [], warnings: [] });
    expectOnlyError(chain(MAX_STATES + 1), 'states', `${MAX_STATES + 1} states; at most ${MAX_STATES}`);
  });

  it('rejects a state whose transitions are not an object', () => {
    const machine = seed();
    machine.states.W = ['b', 'Y'];
    // W is then a dead end; Y is still reached through X.
    expectOnlyError(machine, 'states.W', 'must be an object mapping events to target states');
  });
});

describe('validateMachine: transitions', () => {
  it('rejects a transition on an unknown event', () => {
    const machine = seed();
    machine.states.W.z = 'Y';
    expectOnlyError(machine, 'states.W.z', 'unknown event "z"');
  });

  it('rejects an unknown target state', () => {
    const machine = seed();
    machine.states.W.b = 'Q';
    expect(errorsOf(machine)).toEqual([{ path: 'states.W.b', message: 'unknown target state "Q"' }]);
    expect(formatIssue(errorsOf(machine)[0]!)).toBe('states.W.b: unknown target state "Q"');
  });

  it('rejects an unknown target given in the object form', () => {
    const machine = seed();
    machine.states.X.d = { to: 'Nowhere', p: 0.8 };
    // Its probability still counts: the state's sum is fine, so the target is the only problem.
    expect(errorsOf(machine)).toEqual([{ path: 'states.X.d', message: 'unknown target state "Nowhere"' }]);
  });

  it('still checks the sum of a state with an unknown target or event', () => {
    const machine = seed();
    machine.states.X = { b: { to: 'Y', p: 0.2 }, d: { to: 'Nowhere', p: 0.7 }, zz: { to: 'Z', p: 0.2 } };
    expect(errorsOf(machine)).toEqual([
      { path: 'states.X.d', message: 'unknown target state "Nowhere"' },
      { path: 'states.X.zz', message: 'unknown event "zz" (events are a, b, c, d, e, f, g)' },
      { path: 'states.X', message: 'probabilities sum to 1.1, not 1' },
    ]);
  });

  it('does not add a sum error to a state with a malformed probability', () => {
    const machine = seed();
    machine.states.X.b = { to: 'Y', p: 2 };
    expect(errorsOf(machine)).toEqual([{ path: 'states.X.b.p', message: 'probability 2 is not in (0, 1]' }]);
  });

  it.each([
    ['a number', 5, 'must be a target state name or { "to": state, "p": probability }'],
    ['null', null, 'must be a target state name or'],
    ['an object without "to"', { p: 1 }, 'must be a target state name or'],
    ['a non-string "to"', { to: 3 }, 'must be a target state name or'],
    ['an extra field', { to: 'Y', weight: 1 }, 'unexpected field "weight"'],
    ['a string probability', { to: 'Y', p: '1' }, 'probability "1" is not a number'],
  ])('rejects a malformed transition spec: %s', (_label, spec, text) => {
    const machine = seed();
    machine.states.W.b = spec;
    expectOnlyError(machine, 'states.W.b', text);
  });

  it('accepts the object form without a probability', () => {
    const machine = seed();
    machine.states.W.b = { to: 'Y' };
    expect(validateMachine(machine)).toEqual({ errors: [], warnings: [] });
  });

  it.each([[1.2], [0], [-0.2]])('rejects the probability %d, located at the p field', (p) => {
    const machine = seed();
    machine.states.X.b = { to: 'Y', p };
    const errors = errorsOf(machine);
    expect(errors[0]).toEqual({ path: 'states.X.b.p', message: `probability ${p} is not in (0, 1]` });
  });

  it('rejects probabilities that do not sum to 1, located at the state', () => {
    const machine = seed();
    machine.states.X.b.p = 0.3;
    expectOnlyError(machine, 'states.X', 'probabilities sum to 1.1, not 1');
    machine.states.X.b.p = 0.1;
    expectOnlyError(machine, 'states.X', 'probabilities sum to 0.9, not 1');
  });

  it('tolerates floating point rounding in the sum', () => {
    const machine = seed();
    // 0.7 + 0.2 + 0.1, summed in this order, is 0.9999999999999999 in binary floating point.
    machine.states.Initial = {
      a: { to: 'W', p: 0.7 },
      c: { to: 'X', p: 0.2 },
      b: { to: 'Y', p: 0.1 },
    };
    expect(0.7 + 0.2 + 0.1).not.toBe(1);
    expect(validateMachine(machine)).toEqual({ errors: [], warnings: [] });
  });

  it('rejects mixing bare and weighted transitions in one state, at the bare one', () => {
    const machine = seed();
    machine.states.X.b = 'Y';
    expectOnlyError(machine, 'states.X.b', 'has no probability while other transitions of the state do');
  });

  it('accepts weighted transitions with p = 1 and bare transitions in other states', () => {
    const machine = seed();
    machine.states.Y = { e: { to: 'Z', p: 1 } };
    expect(validateMachine(machine).errors).toEqual([]);
  });
});

describe('validateMachine: initial state and reachability', () => {
  it('rejects a missing initial state', () => {
    const machine = seed();
    delete machine.initial;
    expectOnlyError(machine, 'initial', 'must name the initial state');
  });

  it('rejects an initial state that is not a state', () => {
    const machine = seed();
    machine.initial = 'Start';
    expectOnlyError(machine, 'initial', 'unknown state "Start"');
  });

  it('rejects an initial state with no transitions', () => {
    expectOnlyError(
      { name: 'stuck', initial: 'T', events: ['a'], states: { T: {} } },
      'states.T',
      'the initial state has no transitions',
    );
  });

  it('rejects a state that cannot be reached from the initial state', () => {
    const machine = seed();
    machine.states.Orphan = { a: 'W' };
    expectOnlyError(machine, 'states.Orphan', 'unreachable from the initial state "Initial"');
  });

  it('reports every unreachable state', () => {
    const machine = seed();
    machine.states.Initial = { a: { to: 'W', p: 1 } };
    // X is no longer reached; Y and Z still are (W -b-> Y -e-> Z).
    expect(errorsOf(machine)).toEqual([
      { path: 'states.X', message: 'unreachable from the initial state "Initial"' },
    ]);
  });

  it('only warns when no terminal state is reachable', () => {
    const loop = { name: 'loop', initial: 'A', events: ['a'], states: { A: { a: 'B' }, B: { a: 'A' } } };
    const result = validateMachine(loop);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.path).toBe('states');
    expect(result.warnings[0]!.message).toContain('no terminal state is reachable from "A"');
    const compiled = compileMachine(loop);
    expect(compiled.warnings).toEqual(result.warnings);
  });

  it('warns about the terminal and errs about the state when the only terminal is unreachable', () => {
    const machine = seed();
    machine.states.Z = { f: 'Z' };
    const result = validateMachine(machine);
    expect(result.errors).toEqual([
      { path: 'states.Terminal', message: 'unreachable from the initial state "Initial"' },
    ]);
    expect(result.warnings.map((w) => w.path)).toEqual(['states']);
  });
});

describe('MachineDefinitionError', () => {
  it('is thrown by compileMachine with every issue, its code, and a message led by source and first issue', () => {
    const machine = seed();
    machine.states.W.b = 'Q';
    machine.states.X.b.p = 0.3;
    let caught: unknown;
    try {
      compileMachine(machine, 'custom.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MachineDefinitionError);
    expect(isMachineDefinitionError(caught)).toBe(true);
    const error = caught as MachineDefinitionError;
    expect(error.code).toBe('MACHINE_INVALID');
    expect(error.name).toBe('MachineDefinitionError');
    expect(error.issues).toEqual(validateMachine(machine).errors);
    expect(error.issues).toHaveLength(2);
    expect(error.message.startsWith('custom.json: states.W.b: unknown target state "Q"')).toBe(true);
    expect(error.message).toContain('(and 1 more)');
  });

  it('names the default source "machine" and has no suffix for a single issue', () => {
    const machine = seed();
    machine.initial = 'Nope';
    expect(() => compileMachine(machine)).toThrowError(/^machine: initial: unknown state "Nope"$/);
  });

  it('formats an issue with an empty path as its message alone', () => {
    expect(() => compileMachine(null, 'x')).toThrowError(/^x: a machine definition must be a JSON object/);
  });

  it('is not confused with other errors', () => {
    expect(isMachineDefinitionError(new Error('x'))).toBe(false);
    expect(isMachineDefinitionError({ code: 'MACHINE_INVALID' })).toBe(false);
  });
});
