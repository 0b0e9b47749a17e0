import { usageError } from './cli-error.js';

/** Checks a numeric flag is an integer in [min, max]; bad values are exit code 2 with one line. */
export function integerFlag(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
    throw usageError(`--${name} must be an integer ${range}, got ${formatValue(value)}`);
  }
  return value;
}

export function rateFlag(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw usageError(`--${name} must be a number in [0, 1], got ${formatValue(value)}`);
  }
  return value;
}

function formatValue(value: unknown): string {
  return typeof value === 'number' && Number.isNaN(value) ? 'something that is not a number' : String(value);
}
