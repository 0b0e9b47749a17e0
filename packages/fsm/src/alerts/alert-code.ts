/** The state machine operator packs an alert's state and event into the output's 32-bit code. */
export function encodeAlert(state: number, event: number): number {
  return (state << 8) | event;
}

export function alertState(code: number): number {
  return code >>> 8;
}

export function alertEvent(code: number): number {
  return code & 255;
}
