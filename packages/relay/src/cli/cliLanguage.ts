import { CliError } from '../cliOptions.js';

export const CLI_LANGUAGES = ['en', 'id'] as const;
export type CliLanguage = (typeof CLI_LANGUAGES)[number];

/** `id_ID.UTF-8`, `id-ID`, `in`, `en_US` → `id` / `en`; anything else → undefined. */
function languageOfLocale(locale: string | undefined): CliLanguage | undefined {
  const primary = locale?.split(/[-_.@]/)[0]?.toLowerCase();
  if (primary === 'id' || primary === 'in') return 'id';
  return primary ? 'en' : undefined;
}

/**
 * The language the cashier reads the command's words in: `--lang`, else `KS_LANG`, else the
 * POSIX locale (LC_ALL, LC_MESSAGES, LANG), else the system's as Node's ICU reports it (on
 * Windows the user's regional format). Indonesian or English; a `--lang`/`KS_LANG` we do
 * not have is a usage error, not a silent English.
 */
export function cliLanguage(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  systemLocale: string = Intl.DateTimeFormat().resolvedOptions().locale,
): CliLanguage {
  const asked = flag ?? env.KS_LANG;
  if (asked !== undefined) {
    if ((CLI_LANGUAGES as readonly string[]).includes(asked)) return asked as CliLanguage;
    throw new CliError(
      `${flag !== undefined ? '--lang' : 'KS_LANG'} must be one of ${CLI_LANGUAGES.join(', ')} (got "${asked}")`,
    );
  }
  const posix = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  // C and POSIX say "no locale chosen": the system's decides.
  if (posix && posix !== 'C' && posix !== 'POSIX' && !posix.startsWith('C.')) {
    return languageOfLocale(posix) ?? 'en';
  }
  return languageOfLocale(systemLocale) ?? 'en';
}
