import { logger } from './logger.js';

/**
 * Node's process warnings as the CLI's own log lines, except kafkajs 2.2.4's negative timeout:
 * it passes setTimeout a negative delay when it is not throttled (kafkajs#1751), which Node 20
 * clamped to 1 ms silently and Node 23+ reports as a TimeoutNegativeWarning. That is harmless
 * (the delay is still clamped), and a warning line would break the one-line error contract.
 */
export function routeProcessWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    logger.warn(`${warning.name}: ${warning.message}`);
  });
}
