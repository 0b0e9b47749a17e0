import { describe, expect, it } from 'vitest';
import {
  type CompiledMachine,
  compileMachine,
  FLINK_MACHINE,
  INVALID_TRANSITION,
  MAX_STATES,
  SEED_MACHINE,
} from '../src/index.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const STATES = ['Initial', 'W', 'X', 'Y', 'Z', 'Terminal'];

/**
 * DESIGN.md's seed machine, written out by hand as the full state × event grid
 * ('-' is an invalid transition):
 *   Initial: a → W, c → X;  W: b → Y;  X: b → Y, d → Z;  Y: e → Z;  Z: f → Z, g → Terminal.
 */
const SEED_GRID: Record<string, string[]> = {
  //         a    b    c    d    e    f    g
  Initial: ['W', '-', 'X', '-', '-', '-', '-'],
  W: ['-', 'Y', '-', '-', '-', '-', '-'],
  X: ['-', 'Y', '-', 'Z', '-', '-', '-'],
  Y: ['-', '-', '-', '-', 'Z', '-', '-'],
  Z: ['-', '-', '-', '-', '-', 'Z', 'Terminal'],
  Terminal: ['-', '-', '-', '-', '-', '-', '-'],
};

/** Flink's machine today: the same, but Z has no f loop. */
const FLINK_GRID: Record<string, string[]> = {
  ...SEED_GRID,
  Z: ['-', '-', '-', '-', '-', '-', 'Terminal'],
};

function expectGrid(machine: CompiledMachine, grid: Record<string, string[]>): void {
  expect(machine.transitions).toHaveLength(STATES.length * EVENTS.length);
  let valid = 0;
  for (const state of STATES) {
    const s = machine.stateNames.indexOf(state);
    expect(s, state).toBeGreaterThanOrEqual(0);
    EVENTS.forEach((event, e) => {
      const expected = grid[state]![e]!;
      const actual = machine.transitions[s * EVENTS.length + e]!;
      if (expected === '-') {
        expect(actual, `${state} -${event}->`).toBe(INVALID_TRANSITION);
      } else {
        valid++;
        expect(machine.stateNames[actual], `${state} -${event}->`).toBe(expected);
      }
    });
  }
  // Nothing else in the table is a valid transition.
  expect(Array.from(machine.transitions).filter((t) => t !== INVALID_TRANSITION)).toHaveLength(valid);
}

describe('compileMachine: the seed preset', () => {
  const seed = compileMachine(SEED_MACHINE);

  it('names states in definition order and events by their codes a=0 … g=6', () => {
    expect(seed.name).toBe('seed');
    expect(seed.stateNames).toEqual(STATES);
    expect(seed.eventNames).toEqual(EVENTS);
    expect(seed.initial).toBe(0);
    expect(seed.stateNames[seed.initial]).toBe('Initial');
    expect(seed.definition).toBe(SEED_MACHINE);
    expect(seed.warnings).toEqual([]);
  });

  it('has exactly DESIGN.md’s transition table, invalid everywhere else', () => {
    expectGrid(seed, SEED_GRID);
  });

  it('marks only Terminal as terminal', () => {
    expect(STATES.filter((state) => seed.terminal[seed.stateNames.indexOf(state)] === 1)).toEqual([
      'Terminal',
    ]);
    expect(seed.terminal).toHaveLength(STATES.length);
  });

  it('gives the generator each state’s transitions with cumulative probabilities', () => {
    const choice = (state: string) => {
      const c = seed.choices[seed.stateNames.indexOf(state)]!;
      return {
        events: Array.from(c.events, (e) => EVENTS[e]),
        targets: Array.from(c.targets, (t) => seed.stateNames[t]),
        cumulative: Array.from(c.cumulative),
        invalid: Array.from(c.invalidEvents, (e) => EVENTS[e]),
      };
    };
    expect(choice('Initial')).toEqual({
      events: ['a', 'c'],
      targets: ['W', 'X'],
      cumulative: [0.6, 1],
      invalid: ['b', 'd', 'e', 'f', 'g'],
    });
    expect(choice('W')).toEqual({
      events: ['b'],
      targets: ['Y'],
      cumulative: [1],
      invalid: ['a', 'c', 'd', 'e', 'f', 'g'],
    });
    expect(choice('X')).toEqual({
      events: ['b', 'd'],
      targets: ['Y', 'Z'],
      cumulative: [0.2, 1],
      invalid: ['a', 'c', 'e', 'f', 'g'],
    });
    expect(choice('Y')).toEqual({
      events: ['e'],
      targets: ['Z'],
      cumulative: [1],
      invalid: ['a', 'b', 'c', 'd', 'f', 'g'],
    });
    expect(choice('Z')).toEqual({
      events: ['f', 'g'],
      targets: ['Z', 'Terminal'],
      cumulative: [0.3, 1],
      invalid: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(choice('Terminal').events).toEqual([]);
  });
});

describe('compileMachine: the flink preset', () => {
  const flink = compileMachine(FLINK_MACHINE);

  it('differs from seed only in Z: no f loop, g → Terminal always', () => {
    expect(flink.name).toBe('flink');
    expect(flink.stateNames).toEqual(STATES);
    expect(flink.eventNames).toEqual(EVENTS);
    expect(flink.stateNames[flink.initial]).toBe('Initial');
    expectGrid(flink, FLINK_GRID);
    const seed = compileMachine(SEED_MACHINE);
    const differing: string[] = [];
    for (let i = 0; i < seed.transitions.length; i++) {
      if (seed.transitions[i] !== flink.transitions[i]) {
        differing.push(`${STATES[Math.floor(i / 7)]}.${EVENTS[i % 7]}`);
      }
    }
    expect(differing).toEqual(['Z.f']);
    expect(Array.from(flink.terminal)).toEqual(Array.from(seed.terminal));
    const z = flink.choices[flink.stateNames.indexOf('Z')]!;
    expect(Array.from(z.events)).toEqual([EVENTS.indexOf('g')]);
    expect(Array.from(z.cumulative)).toEqual([1]);
  });
});

describe('compileMachine: custom machines', () => {
  it('gives bare transitions equal probabilities', () => {
    const machine = compileMachine({
      name: 'fan',
      initial: 'S',
      events: ['x', 'y', 'z'],
      states: { S: { x: 'A', y: 'B', z: 'C' }, A: {}, B: {}, C: {} },
    });
    const s = machine.choices[machine.initial]!;
    expect(s.cumulative[0]).toBeCloseTo(1 / 3, 12);
    expect(s.cumulative[1]).toBeCloseTo(2 / 3, 12);
    expect(s.cumulative[2]).toBe(1);
    expect(Array.from(machine.terminal)).toEqual([0, 1, 1, 1]);
    expect(machine.choices[machine.initial]!.invalidEvents).toHaveLength(0);
  });

  it('uses the index in events as the event code, whatever the order of transitions', () => {
    const machine = compileMachine({
      name: 'order',
      initial: 'S',
      events: ['late', 'early'],
      states: { S: { early: 'T', late: 'S' }, T: {} },
    });
    expect(machine.transitions[0 * 2 + 0]).toBe(0); // S -late-> S
    expect(machine.transitions[0 * 2 + 1]).toBe(1); // S -early-> T
    expect(Array.from(machine.transitions.subarray(2))).toEqual([INVALID_TRANSITION, INVALID_TRANSITION]);
  });

  it(`compiles ${MAX_STATES} states, the last code just below INVALID_TRANSITION`, () => {
    const states: Record<string, Record<string, string>> = {};
    for (let i = 0; i < MAX_STATES - 1; i++) states[`S${i}`] = { a: `S${i + 1}` };
    states[`S${MAX_STATES - 1}`] = {};
    const machine = compileMachine({ name: 'chain', initial: 'S0', events: ['a'], states });
    expect(machine.stateNames).toHaveLength(MAX_STATES);
    expect(machine.transitions[MAX_STATES - 2]).toBe(MAX_STATES - 1);
    expect(machine.transitions[MAX_STATES - 1]).toBe(INVALID_TRANSITION);
    expect(machine.terminal[MAX_STATES - 1]).toBe(1);
    expect(MAX_STATES - 1).toBeLessThan(INVALID_TRANSITION);
  });
});
