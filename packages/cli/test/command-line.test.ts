import { describe, expect, it, vi } from 'vitest';
import { commandLine } from '../src/command-line.js';

interface UsageInternals {
  getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } };
}

describe('the command line', () => {
  it("runs a command without laying out the command's help after its handler", async () => {
    // yargs would wrap every flag's description (15-20 ms at the start of each job) for a help
    // no handler here asks for: errors are one line.
    const print = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let exitCode: number | undefined;
    const cli = commandLine(['machine', 'check', 'seed'], (code) => {
      exitCode = code;
    });
    try {
      await cli.parseAsync();
    } finally {
      print.mockRestore();
    }
    expect(exitCode).toBe(0);
    const usage = (cli as unknown as UsageInternals).getInternalMethods().getUsageInstance();
    expect(usage.hasCachedHelpMessage()).toBe(false);
  });
});
