import { withDeadline } from '../client/deadline.js';

/**
 * Connections to close when a job ends, however it ends: closed in reverse order, each given at
 * most `boundMs`, their errors ignored (the job's outcome is already decided).
 */
export class Resources {
  private readonly closers: (() => Promise<void>)[] = [];

  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async closeAll(boundMs = 3_000): Promise<void> {
    while (this.closers.length > 0) {
      const close = this.closers.pop()!;
      await withDeadline(close(), boundMs, () => new Error('close timed out')).catch(() => undefined);
    }
  }
}
