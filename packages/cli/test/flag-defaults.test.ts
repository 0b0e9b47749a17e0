import { DEFAULT_PARTITIONS, INPUT_FORMATS } from '@statecraft/engine';
import { ALERT_FORMATS, DEFAULT_GENERATOR_SPLITS } from '@statecraft/fsm';
import { describe, expect, it } from 'vitest';
import * as defaults from '../src/definitions/defaults.js';
import { runOptions } from '../src/definitions/run.js';

// The command line declares its flags without loading the engine or fsm (see definitions/defaults.ts):
// the copies it keeps must be the packages' values.
describe('the flags show the packages’ defaults', () => {
  it('partitions, generator splits and alert formats', () => {
    expect(defaults.DEFAULT_PARTITIONS).toBe(DEFAULT_PARTITIONS);
    expect(defaults.DEFAULT_GENERATOR_SPLITS).toBe(DEFAULT_GENERATOR_SPLITS);
    expect(defaults.ALERT_FORMATS).toEqual(ALERT_FORMATS);
  });

  it('the input formats run --input-format offers', () => {
    expect([...runOptions['input-format'].choices].sort()).toEqual([...INPUT_FORMATS].sort());
  });
});
