import type { CreateOperator, KeyedOperator, OperatorContext, OperatorSpec } from '../operator.js';
import { importFactory } from './import-factory.js';

/** Imports the operator module and creates an instance for the given key groups. */
export async function loadOperator(spec: OperatorSpec, context: OperatorContext): Promise<KeyedOperator> {
  const createOperator = await importFactory<CreateOperator>(spec.module, 'createOperator', 'operator');
  return createOperator(spec.config, context);
}
