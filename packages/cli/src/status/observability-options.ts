import { LOG_FORMATS } from '../log/logger.js';

/** Flags of `statecraft run` for watching a job (spread into its yargs options). */
export const OBSERVABILITY_OPTIONS = {
  'progress-interval': {
    type: 'number',
    default: 2,
    describe: 'seconds between progress lines when stderr is not a terminal (0: none)',
  },
  'metrics-port': {
    type: 'number',
    describe: 'serve Prometheus metrics (/metrics) and a live dashboard (/) on this port (0: any free port)',
  },
  'metrics-host': {
    type: 'string',
    default: '127.0.0.1',
    describe: 'address the metrics port listens on',
  },
} as const;

/** `--log-format`, for every command. */
export const LOG_FORMAT_OPTION = {
  type: 'string',
  choices: LOG_FORMATS,
  default: 'text',
  describe: 'errors, warnings and progress on stderr as text lines or JSON objects',
} as const;

export interface ObservabilityArgs {
  quiet: boolean;
  progressInterval?: number | undefined;
  metricsPort?: number | undefined;
  metricsHost?: string | undefined;
}
