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

/**
 * Checks a comma-separated list of integers, each in [min, max] (`--workers 0,1,2`); returns them
 * sorted and without duplicates. Bad values are exit code 2 with one line.
 */
export function integerListFlag(name: string, value: unknown, min: number, max: number): number[] {
  const items =
    typeof value === 'number' ? [String(value)] : typeof value === 'string' ? value.split(',') : [];
  const numbers = items.map((item) => (/^\s*-?\d+\s*$/.test(item) ? Number(item) : Number.NaN));
  if (numbers.length === 0 || !numbers.every((n) => Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw usageError(
      `--${name} must be a comma-separated list of integers in ${min}..${max}, got ${formatValue(value)}`,
    );
  }
  return [...new Set(numbers)].sort((a, b) => a - b);
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

/** The generator's stream flags (`--seed`, `--error-rate`, `--generator-splits`), checked. */
export function generatorFlags(args: { seed: unknown; errorRate: unknown; generatorSplits: unknown }): {
  seed: number;
  errorRate: number;
  splits: number;
} {
  return {
    seed: integerFlag('seed', args.seed, 0, 0xffffffff),
    errorRate: rateFlag('error-rate', args.errorRate),
    splits: integerFlag('generator-splits', args.generatorSplits, 1, 1 << 16),
  };
}
