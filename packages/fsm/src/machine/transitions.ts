import type { CompiledMachine } from './compile.js';

/** One transition of a compiled machine, by name, with the generator's probability of taking it. */
export interface TransitionEntry {
  from: string;
  event: string;
  to: string;
  p: number;
}

/** Every transition, state by state in definition order, then in the state's event order. */
export function listTransitions(machine: CompiledMachine): TransitionEntry[] {
  const entries: TransitionEntry[] = [];
  machine.choices.forEach((choice, state) => {
    let previous = 0;
    choice.events.forEach((event, i) => {
      const cumulative = choice.cumulative[i]!;
      entries.push({
        from: machine.stateNames[state]!,
        event: machine.eventNames[event]!,
        to: machine.stateNames[choice.targets[i]!]!,
        p: cumulative - previous,
      });
      previous = cumulative;
    });
  });
  return entries;
}

/** A probability as diagrams show it: `1.0`, `0.6`, `0.25`, `0.333`. */
export function formatProbability(p: number): string {
  const rounded = Number(p.toFixed(3));
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}
