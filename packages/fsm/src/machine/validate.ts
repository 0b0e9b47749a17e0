import type { MachineIssue } from './definition.js';
import { MAX_EVENTS, MAX_STATES, NAME_PATTERN, PROBABILITY_TOLERANCE } from './limits.js';

export interface ValidationResult {
  errors: MachineIssue[];
  warnings: MachineIssue[];
}

interface ParsedTransition {
  event: string;
  to: string;
  p: number | undefined;
}

/** The fields of a definition; `$schema` lets editors validate a file against machine.schema.json. */
const TOP_LEVEL_FIELDS = ['$schema', 'name', 'description', 'initial', 'events', 'states'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a machine definition of unknown shape. Every problem is reported with a path naming
 * the state and the offending event or target, so one run of `machine check` lists them all.
 */
export function validateMachine(input: unknown): ValidationResult {
  const errors: MachineIssue[] = [];
  const warnings: MachineIssue[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });

  if (!isRecord(input)) {
    fail('', 'a machine definition must be a JSON object with name, initial, events and states');
    return { errors, warnings };
  }
  if (Object.keys(input).length === 0) {
    fail('', 'empty machine: a definition needs name, initial, events and states');
    return { errors, warnings };
  }
  for (const key of Object.keys(input)) {
    if (!TOP_LEVEL_FIELDS.includes(key)) {
      fail(key, `unexpected field "${key}" (a machine has ${TOP_LEVEL_FIELDS.join(', ')})`);
    }
  }
  if (typeof input.name !== 'string' || input.name.trim() === '') {
    fail('name', 'must be a non-empty string');
  }
  if (input.description !== undefined && typeof input.description !== 'string') {
    fail('description', 'must be a string');
  }

  const events = checkEvents(input.events, fail);
  const states = checkStateNames(input.states, fail);
  if (events === undefined || states === undefined) return { errors, warnings };

  const transitions = new Map<string, ParsedTransition[]>();
  for (const state of states) {
    transitions.set(
      state,
      checkTransitions(state, (input.states as Record<string, unknown>)[state], events, states, fail),
    );
  }

  if (typeof input.initial !== 'string') {
    fail('initial', 'must name the initial state');
    return { errors, warnings };
  }
  if (!states.includes(input.initial)) {
    fail('initial', `unknown state "${input.initial}"`);
    return { errors, warnings };
  }
  if ((transitions.get(input.initial) ?? []).length === 0) {
    fail(`states.${input.initial}`, 'the initial state has no transitions: every event would be an alert');
  }
  checkReachability(input.initial, states, transitions, fail, warnings);
  return { errors, warnings };
}

function checkEvents(value: unknown, fail: (path: string, message: string) => void): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    fail('events', 'must be a non-empty array of event names');
    return undefined;
  }
  if (value.length > MAX_EVENTS) {
    fail('events', `${value.length} events; at most ${MAX_EVENTS} are supported`);
    return undefined;
  }
  const seen = new Set<string>();
  let valid = true;
  value.forEach((event: unknown, index) => {
    if (typeof event !== 'string' || !NAME_PATTERN.test(event)) {
      fail(
        `events[${index}]`,
        `${JSON.stringify(event)} is not a valid event name (letters, digits, _.:@#/+-)`,
      );
      valid = false;
    } else if (seen.has(event)) {
      fail(`events[${index}]`, `duplicate event "${event}"`);
      valid = false;
    } else {
      seen.add(event);
    }
  });
  return valid ? (value as string[]) : undefined;
}

function checkStateNames(
  value: unknown,
  fail: (path: string, message: string) => void,
): string[] | undefined {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    fail('states', 'must be a non-empty object of states');
    return undefined;
  }
  const names = Object.keys(value);
  if (names.length > MAX_STATES) {
    fail('states', `${names.length} states; at most ${MAX_STATES} are supported`);
    return undefined;
  }
  let valid = true;
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) {
      fail(`states.${name}`, `"${name}" is not a valid state name (letters, digits, _.:@#/+-)`);
      valid = false;
    }
  }
  return valid ? names : undefined;
}

function checkTransitions(
  state: string,
  value: unknown,
  events: readonly string[],
  states: readonly string[],
  fail: (path: string, message: string) => void,
): ParsedTransition[] {
  const base = `states.${state}`;
  if (!isRecord(value)) {
    fail(base, 'must be an object mapping events to target states ({} for a terminal state)');
    return [];
  }
  const parsed: ParsedTransition[] = [];
  // The state's probabilities are checked when every spec is well-formed, whatever its event and
  // target: a typo in a target name should not also read as a bad sum.
  const weighed: ParsedTransition[] = [];
  let malformed = false;
  for (const [event, spec] of Object.entries(value)) {
    const path = `${base}.${event}`;
    const transition = parseTransition(spec);
    if (typeof transition === 'string') {
      fail(
        path,
        events.includes(event) ? transition : `unknown event "${event}" (events are ${events.join(', ')})`,
      );
      malformed = true;
      continue;
    }
    if (transition.p !== undefined && !(transition.p > 0 && transition.p <= 1)) {
      fail(`${path}.p`, `probability ${transition.p} is not in (0, 1]`);
      malformed = true;
      continue;
    }
    weighed.push({ event, ...transition });
    if (!events.includes(event)) {
      fail(path, `unknown event "${event}" (events are ${events.join(', ')})`);
    } else if (!states.includes(transition.to)) {
      fail(path, `unknown target state "${transition.to}"`);
    } else {
      parsed.push({ event, ...transition });
    }
  }
  if (!malformed) checkProbabilities(base, weighed, fail);
  return parsed;
}

function parseTransition(spec: unknown): { to: string; p: number | undefined } | string {
  if (typeof spec === 'string') return { to: spec, p: undefined };
  if (!isRecord(spec) || typeof spec.to !== 'string') {
    return 'must be a target state name or { "to": state, "p": probability }';
  }
  if (spec.p !== undefined && typeof spec.p !== 'number')
    return `probability ${JSON.stringify(spec.p)} is not a number`;
  for (const key of Object.keys(spec)) {
    if (key !== 'to' && key !== 'p') return `unexpected field "${key}" (a transition has "to" and "p")`;
  }
  return { to: spec.to, p: spec.p as number | undefined };
}

function checkProbabilities(
  base: string,
  transitions: readonly ParsedTransition[],
  fail: (path: string, message: string) => void,
): void {
  const given = transitions.filter((t) => t.p !== undefined);
  if (given.length === 0) return;
  if (given.length !== transitions.length) {
    const bare = transitions.find((t) => t.p === undefined);
    fail(
      `${base}.${bare?.event}`,
      'has no probability while other transitions of the state do: give all or none',
    );
    return;
  }
  const sum = given.reduce((total, t) => total + (t.p ?? 0), 0);
  if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) {
    fail(base, `probabilities sum to ${Number(sum.toFixed(12))}, not 1`);
  }
}

function checkReachability(
  initial: string,
  states: readonly string[],
  transitions: ReadonlyMap<string, ParsedTransition[]>,
  fail: (path: string, message: string) => void,
  warnings: MachineIssue[],
): void {
  const reached = new Set<string>([initial]);
  const queue = [initial];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const { to } of transitions.get(state) ?? []) {
      if (!reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  for (const state of states) {
    if (!reached.has(state)) fail(`states.${state}`, `unreachable from the initial state "${initial}"`);
  }
  const terminalReachable = states.some((s) => reached.has(s) && (transitions.get(s) ?? []).length === 0);
  if (!terminalReachable) {
    warnings.push({
      path: 'states',
      message: `no terminal state is reachable from "${initial}": addresses never release their state`,
    });
  }
}
