import type { MachineDefinition, MachineIssue, TransitionSpec } from './definition.js';
import { MachineDefinitionError } from './errors.js';
import { INVALID_TRANSITION } from './limits.js';
import { validateMachine } from './validate.js';

/** Per state, the transitions the generator may take and their cumulative probabilities. */
export interface StateChoices {
  events: Uint8Array;
  targets: Uint8Array;
  cumulative: Float64Array;
  /** Events that are invalid in this state, for the generator's injected errors. */
  invalidEvents: Uint8Array;
}

export interface CompiledMachine {
  readonly name: string;
  readonly definition: MachineDefinition;
  readonly stateNames: readonly string[];
  readonly eventNames: readonly string[];
  readonly initial: number;
  /** `transitions[state * eventCount + event]` is the next state, or INVALID_TRANSITION. */
  readonly transitions: Uint8Array;
  /** 1 where the state is terminal. */
  readonly terminal: Uint8Array;
  readonly choices: readonly StateChoices[];
  readonly warnings: readonly MachineIssue[];
}

/** Validates and compiles; throws MachineDefinitionError naming every problem. */
export function compileMachine(input: unknown, source = 'machine'): CompiledMachine {
  const { errors, warnings } = validateMachine(input);
  if (errors.length > 0) throw new MachineDefinitionError(source, errors);
  const definition = input as MachineDefinition;
  const stateNames = Object.keys(definition.states);
  const eventNames = definition.events;
  const stateCode = new Map(stateNames.map((name, code) => [name, code]));
  const eventCount = eventNames.length;
  const transitions = new Uint8Array(stateNames.length * eventCount).fill(INVALID_TRANSITION);
  const terminal = new Uint8Array(stateNames.length);

  const choices = stateNames.map((state, s) => {
    const entries = Object.entries(definition.states[state] ?? {}) as [string, TransitionSpec][];
    if (entries.length === 0) terminal[s] = 1;
    const events = new Uint8Array(entries.length);
    const targets = new Uint8Array(entries.length);
    const cumulative = new Float64Array(entries.length);
    let total = 0;
    entries.forEach(([event, spec], i) => {
      const e = eventNames.indexOf(event);
      const to = stateCode.get(typeof spec === 'string' ? spec : spec.to) ?? INVALID_TRANSITION;
      const p = typeof spec === 'string' || spec.p === undefined ? 1 / entries.length : spec.p;
      transitions[s * eventCount + e] = to;
      events[i] = e;
      targets[i] = to;
      total += p;
      cumulative[i] = total;
    });
    if (entries.length > 0) cumulative[entries.length - 1] = 1;
    const invalid: number[] = [];
    for (let e = 0; e < eventCount; e++) {
      if (transitions[s * eventCount + e] === INVALID_TRANSITION) invalid.push(e);
    }
    return { events, targets, cumulative, invalidEvents: Uint8Array.from(invalid) };
  });

  return {
    name: definition.name,
    definition,
    stateNames,
    eventNames,
    initial: stateCode.get(definition.initial) ?? 0,
    transitions,
    terminal,
    choices,
    warnings,
  };
}
