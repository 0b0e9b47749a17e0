/**
 * Resolves or rejects as `work` does, unless `ms` pass first: then rejects with `onTimeout()`.
 * The work itself goes on (callers disconnect the client to end it).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
