import { type KeyedOperator, type OperatorContext, OutputBuffer, type WorkerPart } from '@statecraft/engine';
import { createOperator, type StateMachineOperatorConfig } from '@statecraft/fsm/operator';

let operator: KeyedOperator | undefined;
const out = new OutputBuffer();

/** Per-batch Piscina task: the thread keeps its operator in module state between tasks. */
export default function processPart(task: {
  part: WorkerPart;
  config: StateMachineOperatorConfig;
  context: OperatorContext;
}) {
  operator ??= createOperator(task.config, task.context);
  operator.process(task.part, out, { chunk: 0, firstEvent: 0 });
  return out.take();
}
