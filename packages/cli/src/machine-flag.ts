import { type CompiledMachine, formatIssue, isMachineDefinitionError, loadMachine } from '@statecraft/fsm';
import { usageError } from './cli-error.js';

export interface ResolveMachineOptions {
  /** Names the argument in errors (`--machine`, or nothing for a positional). */
  label?: string;
  /** No warnings on stderr. */
  quiet?: boolean;
}

/**
 * `--machine seed|flink|file.json`: an unknown or invalid machine is exit code 2; the warnings of
 * a valid one (no reachable terminal state) go to stderr unless quiet.
 */
export async function resolveMachine(
  nameOrPath: string,
  options: ResolveMachineOptions = {},
): Promise<CompiledMachine> {
  const { label = '--machine', quiet = false } = options;
  let machine: CompiledMachine;
  try {
    machine = await loadMachine(nameOrPath);
  } catch (error) {
    if (isMachineDefinitionError(error))
      throw usageError(label === '' ? error.message : `${label} ${error.message}`);
    throw error;
  }
  if (!quiet) {
    for (const warning of machine.warnings) {
      process.stderr.write(`statecraft: warning: ${nameOrPath}: ${formatIssue(warning)}\n`);
    }
  }
  return machine;
}
