import { CliError } from '../cliOptions.js';

/** node:util parseArgs, its refusals turned into usage errors (exit 2 with the help hint). */
export function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
