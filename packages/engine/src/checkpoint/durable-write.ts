import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DurableWriteOptions {
  /** Keep the file being replaced under this name (renamed just before the new one takes its place). */
  previous?: string;
  /** Asked once the new bytes are durable, just before they replace the file: false leaves it alone. */
  replace?: () => boolean;
}

/**
 * Writes `bytes` to `path` atomically and durably: a temporary file beside it (`path.tmp`),
 * fsync, rename over `path`, fsync of the directory. A crash leaves the old file or the new one,
 * never a mix (with `previous`: the old one under that name, if `path` is missing). The temporary
 * file is removed when the write fails or `replace` declines. Resolves with whether `path` was
 * replaced.
 */
export async function writeFileDurably(
  path: string,
  bytes: Uint8Array,
  options: DurableWriteOptions = {},
): Promise<boolean> {
  const temporary = `${path}.tmp`;
  try {
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    if (options.replace !== undefined && !options.replace()) {
      await rm(temporary, { force: true });
      return false;
    }
    if (options.previous !== undefined) {
      await rename(path, options.previous).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await rename(temporary, path);
    await syncDirectory(dirname(path));
    return true;
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
