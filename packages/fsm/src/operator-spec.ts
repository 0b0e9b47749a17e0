import { moduleBeside, type OperatorSpec } from '@statecraft/engine';
import type { CompiledMachine } from './machine/compile.js';
import type { StateMachineOperatorConfig } from './operator.js';

/** The operator spec that runs `machine` on the engine's workers. */
export function stateMachineOperator(machine: CompiledMachine): OperatorSpec {
  const config: StateMachineOperatorConfig = { machine: machine.definition };
  return { module: moduleBeside(import.meta.url, 'operator'), config };
}
