import { type CompiledMachine, compileMachine } from '../machine/compile.js';
import type { MachineDefinition } from '../machine/definition.js';
import { loadMachine } from '../machine/load.js';

/** A machine as the API takes it: compiled, a definition object, a preset name or a .json path. */
export type MachineInput = CompiledMachine | MachineDefinition | string;

/** Compiles (or loads) the machine; an invalid one throws MachineDefinitionError. */
export async function resolveMachine(input: MachineInput): Promise<CompiledMachine> {
  if (typeof input === 'string') return loadMachine(input);
  if (isCompiled(input)) return input;
  return compileMachine(input, typeof input.name === 'string' ? input.name : 'machine');
}

function isCompiled(input: CompiledMachine | MachineDefinition): input is CompiledMachine {
  return (input as CompiledMachine).transitions instanceof Uint8Array;
}
