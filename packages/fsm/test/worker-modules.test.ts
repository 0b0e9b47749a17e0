import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Runtime imports of a source file: `import type` and `export type` lines load nothing. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^(import|export)(?!\s+type\b)[^;]*?from\s+'([^']+)';/gms))
    specifiers.push(match[2]!);
  return specifiers;
}

/** Every module a worker thread loads from `entry` (relative imports followed), by specifier. */
function loadedFrom(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(resolve(src, entry));
  return { files: [...files], packages: [...packages] };
}

describe('modules the worker threads load', () => {
  it.each(['operator.ts', 'generator/generator-producer.ts'])(
    '%s reaches the engine only through @statecraft/engine/operator-kit, not its whole main entry',
    (entry) => {
      const { files, packages } = loadedFrom(entry);
      expect(files.length).toBeGreaterThan(3);
      expect(packages.filter((name) => !name.startsWith('node:'))).toEqual([
        '@statecraft/engine/operator-kit',
      ]);
    },
  );

  it('the checker sees a runtime import of the main entry (createMachineJob has one)', () => {
    expect(loadedFrom('api/machine-job.ts').packages).toContain('@statecraft/engine');
  });
});
