import { enableTypeScriptModules, isTypeScriptModule } from './module-url.js';

/**
 * Imports `url` and returns its export `name`, which must be a function; `kind` names the module
 * in errors ("operator", "source"). `.ts` modules are loaded under tsx (development only).
 */
export async function importFactory<F>(url: string, name: string, kind: string): Promise<F> {
  let module: Record<string, unknown>;
  try {
    module = await importModule(url);
  } catch (error) {
    throw new Error(`cannot load ${kind} module ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof module[name] !== 'function') {
    throw new Error(`${kind} module ${url} does not export a ${name} function`);
  }
  return module[name] as F;
}

/**
 * Imports `urls` ahead of the task that needs them (see warmUpWorkers); one that fails to load is
 * left for that task to report.
 */
export async function preloadModules(urls: readonly string[]): Promise<undefined> {
  await Promise.all(
    urls.map(async (url) => {
      try {
        await importModule(url);
      } catch {
        // The task that imports it reports the error.
      }
    }),
  );
  return undefined;
}

/** Imports `url`, under tsx when it is a `.ts` module (development only). */
async function importModule(url: string): Promise<Record<string, unknown>> {
  if (isTypeScriptModule(url)) await enableTypeScriptModules();
  return (await import(url)) as Record<string, unknown>;
}
