// Numbers are grouped by hand, not with Intl.NumberFormat: creating the first one loads ICU's
// locale data, 20-30 ms of every command's start (a third of a 100 k-event run's own time).

/** 1234567.8 → "1,234,568" (rounded; en-US grouping). */
export function count(n: number): string {
  return groupThousands(Math.round(n).toString());
}

/**
 * At most two decimals, trailing zeros dropped, halves away from zero, as en-US Intl.NumberFormat
 * with maximumFractionDigits 2 writes it: rounding the shortest decimal that reads back as the
 * number (1.005 → "1.01"), not its binary value (toFixed gives "1.00").
 */
export function decimal(n: number): string {
  const shortest = Math.abs(n).toString();
  if (!/^\d+(\.\d+)?$/.test(shortest)) return Math.abs(n) < 1 ? '0' : count(n); // 1e-7, 1e+21, NaN
  const [whole = '0', fraction = ''] = shortest.split('.');
  const roundUp = (fraction[2] ?? '0') >= '5' ? 1n : 0n;
  const hundredths = (BigInt(whole + fraction.slice(0, 2).padEnd(2, '0')) + roundUp)
    .toString()
    .padStart(3, '0');
  const digits = hundredths.slice(-2).replace(/0+$/, '');
  const sign = n < 0 && hundredths !== '000' ? '-' : '';
  return `${sign}${groupThousands(hundredths.slice(0, -2))}${digits === '' ? '' : `.${digits}`}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 950 → "950", 12_300 → "12.3 k", 2_130_000 → "2.13 M". */
export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return count(n);
}

export function rate(eventsPerSecond: number): string {
  return `${compact(eventsPerSecond)} events/s`;
}

export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** 0.4 → "0.4 s", 75 → "1m15s", 4000 → "1h06m". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** A bar of `width` cells, `ratio` of them full: "█████░░░░░". */
export function bar(ratio: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, ratio)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}
