import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKeys } from '../src/machine/duplicate-keys.js';

describe('findDuplicateKeys', () => {
  it('finds nothing in any JSON that JSON.stringify writes (its objects never repeat keys)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        expect(findDuplicateKeys(JSON.stringify(value, null, indent) ?? 'null')).toEqual([]);
      }),
    );
  });

  it('finds a key repeated in any object of a document, with the path to the object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.array(fc.string({ minLength: 1 }), { maxLength: 4 }),
        (object, parents) => {
          const key = Object.keys(object)[0]!;
          // Appends the key once more (a replacer function: `$` in a key must stay literal).
          const inner = JSON.stringify(object).replace(/}$/, () => `,${JSON.stringify(key)}:null}`);
          // Nest the object under `parents`, each level an object with that one key.
          const text = parents.reduceRight((json, parent) => `{${JSON.stringify(parent)}: ${json}}`, inner);
          expect(JSON.parse(text)).toBeTruthy();
          expect(findDuplicateKeys(text)).toEqual([{ parents, key }]);
        },
      ),
    );
  });

  it('finds a repeated key with `$` in it (the case the property found)', () => {
    expect(findDuplicateKeys('{"$$": null, "": [], "$$": 1}')).toEqual([{ parents: [], key: '$$' }]);
  });

  it('compares keys as JSON reads them (escapes) and is not fooled by braces and quotes in strings', () => {
    const text = '{"a\\u0062": 1, "s": "}{\\"ab\\":", "ab": [ {"x": 1, "x": 2} ], "arr": [1, {"y":0,"y":1}]}';
    expect(findDuplicateKeys(text)).toEqual([
      { parents: [], key: 'ab' },
      { parents: ['ab', '[0]'], key: 'x' },
      { parents: ['arr', '[1]'], key: 'y' },
    ]);
  });
});
