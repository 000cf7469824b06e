/**
 * The words of `GET /setup`, kept apart from the code that fills them in. `{{name}}` slots are
 * replaced with HTML-escaped values; `{{{name}}}` slots with markup the relay built itself.
 * One object per language (`setupTextId.ts` has the Indonesian).
 */
export interface SetupTexts {
  /** `<html lang>` and the name of the language in itself, for the switch to it. */
  lang: string;
  languageName: string;
  title: string;
  page: string;
  appLinks: string;
  noCa: string;
  ca: string;
}

const PAGE = `<h1>Set up a device for this relay</h1>
<p>Relay address: <a href="{{relayUrl}}"><code>{{relayUrl}}</code></a></p>
<figure>{{{qrSvg}}}<figcaption>Scan to open this page on a tablet.</figcaption></figure>
{{{appLinks}}}
{{{caSection}}}
`;

const APP_LINKS = `<h2>Apps served by this relay</h2>
<ul>{{{items}}}</ul>
`;

const NO_CA = `<p class="note">This relay has no outlet CA to hand out ({{reason}}). Devices must
already trust the certificate it presents; ask whoever issued it.</p>
`;

const CA = `<h2>1. Download the outlet certificate</h2>
<p><a class="button" href="/ca.crt" download="kitchen-sync-outlet-ca.crt">Download the CA certificate</a>
(<a href="/ca.crt?format=pem">PEM</a>)</p>
<p>Before you trust it, check that this SHA-256 fingerprint is the one the relay's console,
<code>kitchen-sync-relay status</code> or <code>/health</code> (<code>tls.caFingerprint256</code>)
shows on the relay's PC:<br><code>{{caFingerprint}}</code></p>
<p class="note">The first time, the browser warns that this page is not private: that is expected
until the certificate is trusted. Only this public certificate is downloaded; the CA's private key
never leaves the relay.</p>

<h2>2. Trust it on the device</h2>
<h3>Android</h3>
<ol>
<li>Download the certificate above.</li>
<li>Settings → Security &amp; privacy → More security settings → Encryption &amp; credentials →
Install a certificate → <b>CA certificate</b> → Install anyway, then pick the downloaded file.</li>
<li>Chrome trusts it at once; restart other browsers.</li>
</ol>
<h3>iPad / iPhone (iPadOS, iOS)</h3>
<ol>
<li>Open this page in Safari and download the certificate; allow the configuration profile.</li>
<li>Settings → General → VPN &amp; Device Management → the downloaded profile → Install.</li>
<li>Settings → General → About → <b>Certificate Trust Settings</b> → turn on full trust for
<b>{{caName}}</b>. Without this step Safari still refuses the relay.</li>
</ol>
<h3>Windows</h3>
<ol>
<li>Double-click the downloaded file → Install Certificate → Local Machine →
<b>Trusted Root Certification Authorities</b>.</li>
<li>Or, as administrator: <code>certutil -addstore -f Root kitchen-sync-outlet-ca.crt</code></li>
<li>Many PCs: deploy it with Group Policy (Computer Configuration → Windows Settings → Security
Settings → Public Key Policies → Trusted Root Certification Authorities).</li>
</ol>
<h3>ChromeOS and managed Chrome</h3>
<ol>
<li>Managed devices: Google Admin console → Devices → Networks → Certificates → upload the
certificate and tick <b>Chromebook</b> (and Chrome browser) as a certificate authority.</li>
<li>Unmanaged Chromebook: chrome://certificate-manager → Local certificates → Custom → Import,
and trust it for websites.</li>
</ol>

<h2>3. Local Network Access</h2>
<p>A page loaded from the internet (for example your cloud POS) that talks to this relay on the
local network must be allowed to: Chrome asks <i>"Allow … to access devices on your local
network?"</i> once per site; answer <b>Allow</b>. For managed kiosks set the Chrome policy
<code>LocalNetworkAccessAllowedForUrls</code> to the app's origin so nobody has to answer.
Apps opened from this relay's own address (above) never need this permission.</p>
`;

export const SETUP_TEXTS_EN: SetupTexts = {
  lang: 'en',
  languageName: 'English',
  title: 'Set up a device for this kitchen-sync relay',
  page: PAGE,
  appLinks: APP_LINKS,
  noCa: NO_CA,
  ca: CA,
};
