export { CliError } from './cli-error.js';
export { ExitCode } from './exit-codes.js';
export { main } from './main.js';
