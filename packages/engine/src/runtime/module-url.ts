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
