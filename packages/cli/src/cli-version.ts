import { readFileSync } from 'node:fs';

/**
 * The version in the CLI package's package.json, found from this module up (it is one folder up
 * in dist, two in the bundle). yargs' own lookup starts from the working directory.
 */
export function cliVersion(): string {
  for (let folder = new URL('./', import.meta.url); ; ) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', folder), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === '@statecraft/cli' && manifest.version !== undefined) return manifest.version;
    } catch {
      // No package.json here: look one folder up.
    }
    const parent = new URL('../', folder);
    if (parent.href === folder.href) return 'unknown';
    folder = parent;
  }
}
