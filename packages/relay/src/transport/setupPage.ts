import { renderSVG } from 'uqr';
import { APP_LINKS_TEMPLATE, CA_TEMPLATE, NO_CA_TEMPLATE, SETUP_TEMPLATE } from './setupText.js';

export interface SetupPageInput {
  /** The address the device used to reach this page (`https://relay.local:3001`). */
  relayUrl: string;
  /** URL prefixes of the apps the relay serves. */
  appPrefixes: string[];
  /** The outlet CA's SHA-256 fingerprint, or why there is none to hand out. */
  ca: { fingerprint256: string } | { reason: string };
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

/** The onboarding page: relay address as a QR code, the CA download and per-platform steps. */
export function renderSetupPage(input: SetupPageInput): string {
  const qrSvg = renderSVG(input.relayUrl).replace(
    '<svg ',
    '<svg class="qr" role="img" aria-label="QR code of the relay address" ',
  );
  const appLinks =
    input.appPrefixes.length === 0
      ? ''
      : fill(
          APP_LINKS_TEMPLATE,
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
      ? fill(CA_TEMPLATE, { caFingerprint: input.ca.fingerprint256 })
      : fill(NO_CA_TEMPLATE, { reason: input.ca.reason });
  return fill(SETUP_TEMPLATE, { relayUrl: input.relayUrl }, { qrSvg, appLinks, caSection });
}
