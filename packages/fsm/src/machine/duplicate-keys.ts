import type { MachineIssue } from './definition.js';

/** A key that occurs more than once in one JSON object. */
export interface DuplicateKey {
  /** The keys (or `[index]`es) leading to the object, outermost first; empty for the top level. */
  parents: readonly string[];
  key: string;
}

/**
 * Finds repeated keys in the objects of a JSON text that JSON.parse has already accepted.
 * JSON.parse silently keeps the last of repeated keys, which would drop a state or a transition of
 * a machine definition without a word; this scan lets the loader name them instead.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  let i = 0;

  const skipBlanks = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipScalar = () => {
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  const readValue = (parents: string[]): void => {
    skipBlanks();
    const c = text[i];
    if (c === '{') readObject(parents);
    else if (c === '[') readArray(parents);
    else if (c === '"') readString();
    else skipScalar();
    skipBlanks();
  };
  const readObject = (parents: string[]): void => {
    const keys = new Set<string>();
    i++;
    skipBlanks();
    while (text[i] !== '}') {
      const key = readString();
      if (keys.has(key)) found.push({ parents, key });
      keys.add(key);
      skipBlanks();
      i++; // the colon
      readValue([...parents, key]);
      if (text[i] === ',') {
        i++;
        skipBlanks();
      }
    }
    i++;
  };
  const readArray = (parents: string[]): void => {
    i++;
    skipBlanks();
    for (let index = 0; text[i] !== ']'; index++) {
      readValue([...parents, `[${index}]`]);
      if (text[i] === ',') i++;
    }
    i++;
  };

  readValue([]);
  return found;
}

/** Repeated keys as located machine issues: a repeated state or transition is an error, not a silent loss. */
export function duplicateKeyIssues(text: string): MachineIssue[] {
  return findDuplicateKeys(text).map(({ parents, key }) => {
    const path = [...parents, key].join('.').replaceAll('.[', '[');
    const inStates = parents[0] === 'states';
    const what =
      parents.length === 0
        ? `field "${key}"`
        : inStates && parents.length === 1
          ? `state "${key}"`
          : inStates && parents.length === 2
            ? `transition on event "${key}"`
            : `key "${key}"`;
    return { path, message: `duplicate ${what} (JSON keeps only the last one)` };
  });
}
