import { SETUP_TEXTS_EN } from './setupText.js';
import { SETUP_TEXTS_ID } from './setupTextId.js';

export const SETUP_LANGUAGES = { en: SETUP_TEXTS_EN, id: SETUP_TEXTS_ID } as const;
export type SetupLanguage = keyof typeof SETUP_LANGUAGES;

const isSetupLanguage = (tag: string): tag is SetupLanguage => tag in SETUP_LANGUAGES;

/**
 * The language of `/setup`: `?lang=` when it names one we have, else the browser's most wanted
 * one we have (Accept-Language; `in` is Indonesian's old code, still sent by older Android),
 * else English.
 */
export function setupLanguage(query: unknown, acceptLanguage: string | undefined): SetupLanguage {
  if (typeof query === 'string' && isSetupLanguage(query)) return query;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part, order) => {
      const [range = '', ...params] = part.trim().split(';');
      // No q means 1; a q that is not a number leaves the entry out (NaN is not > 0).
      const q = params.find((p) => /^\s*q=/.test(p));
      const primary = range.split('-')[0]!.toLowerCase();
      const weight = q === undefined ? 1 : Number(q.split('=')[1]);
      return { tag: primary === 'in' ? 'id' : primary, q: weight, order };
    })
    .filter((entry) => entry.q > 0 && isSetupLanguage(entry.tag))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return (wanted[0]?.tag as SetupLanguage | undefined) ?? 'en';
}
