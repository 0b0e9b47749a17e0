/**
 * The URL of module `name` beside the calling module, with the caller's own extension: `.ts`
 * when running from source (tests, tsx), `.js` from the built `dist`.
 */
export function moduleBeside(importMetaUrl: string, name: string): string {
  const extension = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, importMetaUrl).href;
}

export function isTypeScriptModule(url: string): boolean {
  return url.endsWith('.ts');
}

/**
 * The Piscina entry: the built worker's CommonJS entry (worker-entry.cts says why), or (from
 * sources) a bootstrap that loads the worker under tsx.
 */
export function workerEntryUrl(): string {
  return isTypeScriptModule(import.meta.url)
    ? new URL('../../dev/ts-worker.mjs', import.meta.url).href
    : new URL('./worker-entry.cjs', import.meta.url).href;
}

let typeScriptRegistered = false;

/** Lets this thread import `.ts` modules (operators under development); needs the tsx package. */
export async function enableTypeScriptModules(): Promise<void> {
  if (typeScriptRegistered) return;
  const { register } = (await import('tsx/esm/api' as string)) as { register: () => void };
  register();
  typeScriptRegistered = true;
}
