import { CliError } from '../cliOptions.js';

/**
 * Serve flags whose values carry passwords, and the variables `serve` reads them from. On a
 * boot command line they would be in a unit file every account may read and in `ps`.
 */
export const SECRET_FLAGS: Readonly<Record<string, string>> = {
  '--database-url': 'KS_DATABASE_URL',
  '--cluster-redis-url': 'KS_CLUSTER_REDIS_URL',
};

export interface BootSecrets {
  /** The serve flags without the secret ones. */
  flags: string[];
  /** The secret ones, as the variables `serve` reads (empty when none was given). */
  env: Record<string, string>;
}

/** Takes the secret flags (`--flag value` or `--flag=value`) out of the boot command. */
export function splitBootSecrets(serveFlags: readonly string[]): BootSecrets {
  const flags: string[] = [];
  const env: Record<string, string> = {};
  for (let i = 0; i < serveFlags.length; i++) {
    const arg = serveFlags[i]!;
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const variable = SECRET_FLAGS[name];
    if (!variable) {
      flags.push(arg);
      continue;
    }
    const value = equals > 0 ? arg.slice(equals + 1) : serveFlags[++i];
    // parseCli already refused a flag without its value; this is only for the types.
    if (value === undefined) throw new CliError(`${name} needs a value`);
    if (/[\r\n]/.test(value)) {
      throw new CliError(`${name} holds a line break`, 'autostart_secret_unstorable');
    }
    env[variable] = value;
  }
  return { flags, env };
}

/**
 * A URL with its password shown as `***` (in the user part and in `?password=`), for what
 * `autostart` prints: the rest (user, host, database) is what the installer wants to check.
 */
export function maskSecret(value: string): string {
  return value
    .replace(/^([a-z][\w+.-]*:\/\/[^/@:]*:)[^@/]*@/i, '$1***@')
    .replace(/([?&][^=&#]*pass[^=&#]*=)[^&#]*/gi, '$1***');
}

// systemd's EnvironmentFile: in double quotes these four are taken literally only after `\`.
const envFileQuote = (value: string) => `"${value.replace(/(["\\`$])/g, '\\$1')}"`;

/** The lines of a systemd EnvironmentFile; `mask` for the copy that is printed. */
export function environmentFile(env: Record<string, string>, mask = false): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${envFileQuote(mask ? maskSecret(value) : value)}\n`)
    .join('');
}

/** The boot command's flags with the secret values masked, for what is printed. */
export function maskedFlags(serveFlags: readonly string[]): string[] {
  return serveFlags.map((arg, i) => {
    const equals = arg.indexOf('=');
    if (equals > 0 && SECRET_FLAGS[arg.slice(0, equals)]) {
      return `${arg.slice(0, equals + 1)}${maskSecret(arg.slice(equals + 1))}`;
    }
    const previous = serveFlags[i - 1];
    return previous !== undefined && SECRET_FLAGS[previous] ? maskSecret(arg) : arg;
  });
}
