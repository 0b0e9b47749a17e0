import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OperatorSpec } from '../operator.js';

/** A keyed operator by its module: a URL (`new URL('./op.js', import.meta.url)`), or a file path. */
export interface OperatorModule {
  module: string | URL;
  /** Passed to the module's `createOperator(config, context)`; must survive structured cloning. */
  config?: unknown;
}

/** The spec the workers load: the module as a file: URL. */
export function toOperatorSpec(operator: OperatorModule): OperatorSpec {
  const { module } = operator;
  let url: string;
  if (module instanceof URL) url = module.href;
  else if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !isAbsolute(module)) url = module;
  else url = pathToFileURL(resolve(module)).href;
  return { module: url, config: operator.config };
}
