import { readFile } from 'node:fs/promises';
import { type CompiledMachine, compileMachine } from './compile.js';
import { MachineDefinitionError } from './errors.js';
import { PRESETS } from './presets.js';

/** Loads a preset by name (`seed`, `flink`) or a definition from a JSON file, and compiles it. */
export async function loadMachine(nameOrPath: string): Promise<CompiledMachine> {
  if (Object.hasOwn(PRESETS, nameOrPath)) return compileMachine(PRESETS[nameOrPath], nameOrPath);
  if (!nameOrPath.endsWith('.json')) {
    throw new MachineDefinitionError(nameOrPath, [
      {
        path: '',
        message: `unknown machine (presets are ${Object.keys(PRESETS).join(', ')}; a custom machine is a .json file)`,
      },
    ]);
  }
  let text: string;
  try {
    text = await readFile(nameOrPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw new MachineDefinitionError(nameOrPath, [{ path: '', message: reason }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MachineDefinitionError(nameOrPath, [
      { path: '', message: `not valid JSON: ${(error as Error).message}` },
    ]);
  }
  return compileMachine(parsed, nameOrPath);
}
