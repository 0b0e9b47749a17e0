/** Dotted IPv4 form of a uint32 address, as Flink's Event.formatAddress writes it. */
export function formatAddress(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}
