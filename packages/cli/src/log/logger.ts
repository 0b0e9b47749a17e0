export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogLevel = 'error' | 'warn' | 'info';

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2 };

/** Something drawn on the log's stream that log lines must not garble (the live status area). */
export interface LiveArea {
  /** Erases the area, leaving the cursor where it began. */
  clear(): void;
  /** Draws it again below whatever was written since clear. */
  redraw(): void;
}

export interface LogStream {
  write(text: string): unknown;
}

/**
 * The one way the CLI talks on stderr: errors, warnings and notices as `statecraft: ...` lines
 * (text) or one JSON object per line (json), below the log level dropped. A live area attached
 * to the same stream is cleared before each line and redrawn after it.
 */
export class Logger {
  private format: LogFormat = 'text';
  private level: LogLevel = 'info';
  private area: LiveArea | undefined;

  constructor(private readonly stream: LogStream) {}

  configure(options: { format?: LogFormat; level?: LogLevel }): void {
    this.format = options.format ?? this.format;
    this.level = options.level ?? this.level;
  }

  get json(): boolean {
    return this.format === 'json';
  }

  enabled(level: LogLevel): boolean {
    return SEVERITY[level] <= SEVERITY[this.level];
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }

  /** Writes text that is not a log record (the summary table) without garbling the live area. */
  print(text: string): void {
    this.around(() => this.stream.write(text));
  }

  /** While attached, the area is cleared and redrawn around every line. */
  attach(area: LiveArea): void {
    this.area = area;
  }

  detach(area: LiveArea): void {
    if (this.area === area) this.area = undefined;
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    const line =
      this.format === 'json'
        ? JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })
        : `statecraft: ${level === 'warn' ? 'warning: ' : ''}${message}`;
    this.around(() => this.stream.write(`${line}\n`));
  }

  private around(write: () => void): void {
    const area = this.area;
    area?.clear();
    write();
    area?.redraw();
  }
}

/** The process's logger, on stderr. */
export const logger = new Logger(process.stderr);

/**
 * `--log-format` read straight from the arguments, so that even a usage error found while parsing
 * them is logged in the format asked for.
 */
export function logFormatIn(argv: readonly string[]): LogFormat {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--log-format' ? argv[i + 1] : arg.startsWith('--log-format=') ? arg.slice(13) : '';
    if (value === 'json' || value === 'text') return value;
  }
  return 'text';
}
