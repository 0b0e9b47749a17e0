/** Codes are bytes; 255 marks an invalid transition in the compiled table. */
export const MAX_EVENTS = 255;
export const MAX_STATES = 255;
export const INVALID_TRANSITION = 255;
/** Names appear verbatim in CSV and text output, so they may not contain separators or quotes. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:@#/+-]+$/;
export const PROBABILITY_TOLERANCE = 1e-9;
