/** Exit codes of the statecraft command (sysexits-style where one fits). */
export const ExitCode = {
  ok: 0,
  jobFailed: 1,
  usage: 2,
  badRecord: 65,
  noInput: 66,
  cannotWrite: 73,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
