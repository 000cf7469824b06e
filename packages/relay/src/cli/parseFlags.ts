import { CliError } from '../cliOptions.js';

/** node:util parseArgs, its refusals turned into usage errors (exit 2 with the help hint). */
export function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** `--name X` or `--name=X` in `argv`, read before the command parses it (defaults, logs). */
export function flagValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === name) return argv[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}
