import { enableTypeScriptModules, isTypeScriptModule } from './module-url.js';

/**
 * Imports `url` and returns its export `name`, which must be a function; `kind` names the module
 * in errors ("operator", "source"). `.ts` modules are loaded under tsx (development only).
 */
export async function importFactory<F>(url: string, name: string, kind: string): Promise<F> {
  let module: Record<string, unknown>;
  try {
    if (isTypeScriptModule(url)) await enableTypeScriptModules();
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot load ${kind} module ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof module[name] !== 'function') {
    throw new Error(`${kind} module ${url} does not export a ${name} function`);
  }
  return module[name] as F;
}
