/** Wakes everything waiting on it; used to re-check flow-control conditions after any progress. */
export class ProgressSignal {
  private waiters: (() => void)[] = [];

  /** Resolves on the next `notify`, or after `timeoutMs` (the timer does not keep the process alive). */
  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      if (timeoutMs === undefined) {
        this.waiters.push(resolve);
        return;
      }
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve();
      }, timeoutMs).unref();
      this.waiters.push(wake);
    });
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
