import { moduleBeside, type OperatorSpec } from '@statecraft/engine';
import type { CompiledMachine } from './machine/compile.js';
import type { StateMachineOperatorConfig } from './operator.js';
import type { StateTtl } from './state-ttl.js';

/** The operator spec that runs `machine` on the engine's workers, expiring idle addresses after `ttl`. */
export function stateMachineOperator(
  machine: CompiledMachine,
  options: { ttl?: StateTtl } = {},
): OperatorSpec {
  const config: StateMachineOperatorConfig = { machine: machine.definition, ttl: options.ttl };
  return { module: moduleBeside(import.meta.url, 'operator'), config };
}
