import { formatIssue, type MachineIssue } from './definition.js';

/** A machine definition that cannot be compiled; `issues` lists every problem found. */
export class MachineDefinitionError extends Error {
  readonly code = 'MACHINE_INVALID';
  readonly issues: readonly MachineIssue[];

  constructor(source: string, issues: readonly MachineIssue[]) {
    const first = issues[0];
    const head = first === undefined ? 'invalid machine' : formatIssue(first);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(`${source}: ${head}${more}`);
    this.name = 'MachineDefinitionError';
    this.issues = issues;
  }
}

export function isMachineDefinitionError(error: unknown): error is MachineDefinitionError {
  return error instanceof MachineDefinitionError;
}
