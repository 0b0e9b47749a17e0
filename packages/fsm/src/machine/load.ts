import { readFile } from 'node:fs/promises';
import { type CompiledMachine, compileMachine } from './compile.js';
import { duplicateKeyIssues } from './duplicate-keys.js';
import { MachineDefinitionError } from './errors.js';
import { PRESETS } from './presets.js';
import { validateMachine } from './validate.js';

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
  return compileMachineText(text, nameOrPath);
}

/**
 * Parses and compiles a definition's JSON text; besides the definition's own problems, names
 * keys the text repeats (JSON.parse would silently keep only the last state or transition).
 */
export function compileMachineText(text: string, source: string): CompiledMachine {
  if (text.trim() === '')
    throw new MachineDefinitionError(source, [{ path: '', message: 'the file is empty' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MachineDefinitionError(source, [
      { path: '', message: `not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const duplicates = duplicateKeyIssues(text);
  if (duplicates.length > 0) {
    throw new MachineDefinitionError(source, [...duplicates, ...validateMachine(parsed).errors]);
  }
  return compileMachine(parsed, source);
}
