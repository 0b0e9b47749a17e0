import { type CompiledMachine, isMachineDefinitionError, loadMachine } from '@statecraft/fsm';
import { usageError } from './cli-error.js';

/** `--machine seed|flink|file.json`; an unknown or invalid machine is exit code 2. */
export async function resolveMachine(nameOrPath: string): Promise<CompiledMachine> {
  try {
    return await loadMachine(nameOrPath);
  } catch (error) {
    if (isMachineDefinitionError(error)) throw usageError(`--machine ${error.message}`);
    throw error;
  }
}
