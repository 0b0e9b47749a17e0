import { logger } from './logger.js';

/** Node's process warnings as the CLI's own log lines (one line each, in the chosen log format). */
export function routeProcessWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn(`${warning.name}: ${warning.message}`);
  });
}
