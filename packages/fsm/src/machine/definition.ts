/** A transition: a target state name, or a target with the generator's probability of taking it. */
export type TransitionSpec = string | { to: string; p?: number };

/**
 * A state machine as plain, JSON-compatible data. Event codes are the indexes in `events`;
 * a state with no transitions is terminal (reaching it releases the address's state).
 */
export interface MachineDefinition {
  /** The JSON Schema the file follows (machine.schema.json), for editors; ignored otherwise. */
  $schema?: string;
  name: string;
  description?: string;
  initial: string;
  events: string[];
  states: Record<string, Record<string, TransitionSpec>>;
}

/** One problem found in a definition, located by a JSON-path-like `path` (`states.W.b`). */
export interface MachineIssue {
  path: string;
  message: string;
}

export function formatIssue(issue: MachineIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}
