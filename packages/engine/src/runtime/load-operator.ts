import type { CreateOperator, KeyedOperator, OperatorContext, OperatorSpec } from '../operator.js';
import { enableTypeScriptModules, isTypeScriptModule } from './module-url.js';

/** Imports the operator module and creates an instance for the given key groups. */
export async function loadOperator(spec: OperatorSpec, context: OperatorContext): Promise<KeyedOperator> {
  let module: { createOperator?: unknown };
  try {
    if (isTypeScriptModule(spec.module)) await enableTypeScriptModules();
    module = (await import(spec.module)) as { createOperator?: unknown };
  } catch (error) {
    throw new Error(`cannot load operator module ${spec.module}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof module.createOperator !== 'function') {
    throw new Error(`operator module ${spec.module} does not export a createOperator function`);
  }
  return (module.createOperator as CreateOperator)(spec.config, context);
}
