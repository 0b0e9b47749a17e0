import type { Source, SourceContext } from '@statecraft/engine';
import type { CompiledMachine } from '../machine/compile.js';

/** What a source of a machine job learns when the job starts: the engine's context and the machine. */
export interface MachineSourceContext extends SourceContext {
  readonly machine: CompiledMachine;
}

/** A source for a machine job: any engine source, or one that needs the machine (`fromGenerator`). */
export type MachineSource = Source<MachineSourceContext>;
