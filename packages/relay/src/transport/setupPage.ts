import { renderSVG } from 'uqr';
import { SETUP_LANGUAGES, type SetupLanguage } from './setupLanguage.js';
import { SETUP_SHELL } from './setupShell.js';

export interface SetupPageInput {
  /** The address the device used to reach this page (`https://relay.local:3001`). */
  relayUrl: string;
  /** URL prefixes of the apps the relay serves. */
  appPrefixes: string[];
  /**
   * The CA handed out: its SHA-256 fingerprint and subject common name (an outlet CA's, or a
   * company's given with --tls-ca), or why there is none to hand out.
   */
  ca: { fingerprint256: string; name: string } | { reason: string };
  /** Default English. */
  language?: SetupLanguage;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Fills `{{slot}}` with escaped text and `{{{slot}}}` with trusted markup. */
function fill(template: string, text: Record<string, string>, markup: Record<string, string> = {}) {
  return template
    .replace(/\{\{\{(\w+)\}\}\}/g, (_, name: string) => markup[name] ?? '')
    .replace(/\{\{(\w+)\}\}/g, (_, name: string) => escapeHtml(text[name] ?? ''));
}

/** The onboarding page: its own address as a QR code, the CA download and per-platform steps. */
export function renderSetupPage(input: SetupPageInput): string {
  const language = input.language ?? 'en';
  const texts = SETUP_LANGUAGES[language];
  // This page, not the bare relay address: a tablet that scans it lands on the steps to trust
  // the CA and the links to the apps, where the bare address has nothing for a browser.
  const qrSvg = renderSVG(`${input.relayUrl}/setup`).replace(
    '<svg ',
    '<svg class="qr" role="img" aria-label="QR code of this page\'s address" ',
  );
  const appLinks =
    input.appPrefixes.length === 0
      ? ''
      : fill(
          texts.appLinks,
          {},
          {
            items: input.appPrefixes
              .map((prefix) => {
                const url = escapeHtml(`${input.relayUrl}${prefix}`);
                return `<li><a href="${url}"><code>${url}</code></a></li>`;
              })
              .join(''),
          },
        );
  const caSection =
    'fingerprint256' in input.ca
      ? fill(texts.ca, { caFingerprint: input.ca.fingerprint256, caName: input.ca.name })
      : fill(texts.noCa, { reason: input.ca.reason });
  const body = fill(texts.page, { relayUrl: input.relayUrl }, { qrSvg, appLinks, caSection });
  // A link to every other language, each named in itself.
  const languageSwitch = `<p class="lang">${Object.entries(SETUP_LANGUAGES)
    .filter(([code]) => code !== language)
    .map(
      ([code, other]) =>
        `<a href="/setup?lang=${code}" hreflang="${code}" lang="${code}">${escapeHtml(other.languageName)}</a>`,
    )
    .join(' · ')}</p>`;
  return fill(SETUP_SHELL, { lang: texts.lang, title: texts.title }, { languageSwitch, body });
}
