import { describe, expect, it } from 'vitest';
import { Logger } from '../src/log/logger.js';
import { TerminalLiveArea } from '../src/status/live-area.js';
import { replay } from './support/terminal.js';

function terminal(columns = 60) {
  let output = '';
  return {
    columns,
    write(text: string) {
      output += text;
    },
    get output() {
      return output;
    },
  };
}

describe('the live status area', () => {
  it('redraws in place: the screen shows only the newest frame', () => {
    const tty = terminal();
    const area = new TerminalLiveArea(tty);
    area.render(['frame 1 line a', 'frame 1 line b', 'frame 1 line c']);
    area.render(['frame 2 line a', 'frame 2 line b']);
    expect(replay(tty.output)).toEqual(['frame 2 line a', 'frame 2 line b']);
    expect(tty.output).toContain('\x1b[3A');
    area.close();
    expect(replay(tty.output)).toEqual([]);
    expect(tty.output.endsWith('\x1b[?25h')).toBe(true);
  });

  it('cuts lines to the terminal width, so a frame never wraps', () => {
    const tty = terminal(30);
    const area = new TerminalLiveArea(tty);
    area.render(['x'.repeat(100), 'short']);
    const screen = replay(tty.output);
    expect(screen[0]).toBe(`${'x'.repeat(28)}…`);
    expect(screen[1]).toBe('short');
  });

  it('log lines go above the area, whole, and the area is drawn again below them', () => {
    const tty = terminal();
    const logger = new Logger(tty);
    const area = new TerminalLiveArea(tty);
    logger.attach(area);
    area.render(['status 1', 'busy 50%']);
    logger.warn('stdout cannot be rewound');
    logger.info('resuming from checkpoint 3');
    area.render(['status 2', 'busy 60%']);
    logger.error('worker 1 failed: boom');
    expect(replay(tty.output)).toEqual([
      'statecraft: warning: stdout cannot be rewound',
      'statecraft: resuming from checkpoint 3',
      'statecraft: worker 1 failed: boom',
      'status 2',
      'busy 60%',
    ]);
    logger.detach(area);
    area.close();
    logger.print('done: summary\n');
    expect(replay(tty.output).at(-1)).toBe('done: summary');
  });
});

describe('the logger', () => {
  it('writes JSON records with the level, the message and the fields', () => {
    const stream = terminal();
    const logger = new Logger(stream);
    logger.configure({ format: 'json' });
    logger.warn('slow sink', { chunk: 3 });
    logger.error('failed');
    const records = stream.output
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toMatchObject([
      { level: 'warn', msg: 'slow sink', chunk: 3 },
      { level: 'error', msg: 'failed' },
    ]);
    expect(Number.isNaN(Date.parse(records[0]!.time as string))).toBe(false);
  });

  it('drops records below its level', () => {
    const stream = terminal();
    const logger = new Logger(stream);
    logger.configure({ level: 'warn' });
    logger.info('not shown');
    logger.warn('shown');
    expect(stream.output).toBe('statecraft: warning: shown\n');
  });
});
