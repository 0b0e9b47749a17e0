import type { CompiledMachine } from './compile.js';
import { formatProbability, listTransitions } from './transitions.js';

/**
 * Words Mermaid's state-diagram lexer reads as keywords at the start of a statement
 * (case-insensitively); a state with one of these names is written through an alias.
 */
const KEYWORDS = new Set([
  'accdescr',
  'acctitle',
  'class',
  'classdef',
  'click',
  'default',
  'direction',
  'end',
  'hide',
  'href',
  'note',
  'scale',
  'state',
  'statediagram',
  'style',
]);

/**
 * The machine as a Mermaid `stateDiagram-v2`: `[*]` into the initial state, one arrow per
 * transition labelled `event (probability)`, and terminal states into `[*]`.
 */
export function toMermaid(machine: CompiledMachine): string {
  const ids = mermaidIds(machine.stateNames);
  const lines = ['stateDiagram-v2'];
  machine.stateNames.forEach((name, state) => {
    if (ids[state] !== name) lines.push(`  state "${name}" as ${ids[state]}`);
  });
  const id = (name: string) => ids[machine.stateNames.indexOf(name)]!;
  lines.push(`  [*] --> ${ids[machine.initial]}`);
  for (const t of listTransitions(machine)) {
    lines.push(`  ${id(t.from)} --> ${id(t.to)}: ${mermaidLabel(t.event)} (${formatProbability(t.p)})`);
  }
  machine.stateNames.forEach((_name, state) => {
    if (machine.terminal[state] === 1) lines.push(`  ${ids[state]} --> [*]`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * A Mermaid id per state: the name itself when Mermaid reads it as a plain id (a word that is not
 * a keyword), otherwise `s<code>`, an id no kept name can clash with (names that look like it are
 * aliased too).
 */
function mermaidIds(stateNames: readonly string[]): string[] {
  return stateNames.map((name, code) => {
    const plain = /^[A-Za-z_]\w*$/.test(name) && !KEYWORDS.has(name.toLowerCase()) && !/^s\d+$/.test(name);
    return plain ? name : `s${code}`;
  });
}

/** An event name in a label: Mermaid reads `#` as the start of an entity and `::` as a separator. */
function mermaidLabel(text: string): string {
  return text.replaceAll('#', '#35;').replaceAll(':', '#58;');
}
