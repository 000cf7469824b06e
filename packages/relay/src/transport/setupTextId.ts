import type { SetupTexts } from './setupText.js';

// The outlet staff who set up tablets read Indonesian first (the release README is in both);
// menu paths are the ones Indonesian Android and iPadOS show, Windows' stay as Windows names them.

const PAGE = `<h1>Siapkan perangkat untuk relay ini</h1>
<p>Alamat relay: <a href="{{relayUrl}}"><code>{{relayUrl}}</code></a></p>
<figure>{{{qrSvg}}}<figcaption>Pindai untuk membuka halaman ini di tablet.</figcaption></figure>
{{{appLinks}}}
{{{caSection}}}
`;

const APP_LINKS = `<h2>Aplikasi dari relay ini</h2>
<ul>{{{items}}}</ul>
`;

const NO_CA = `<p class="note">Relay ini tidak punya CA outlet untuk dibagikan ({{reason}}). Perangkat harus
sudah memercayai sertifikat yang dipakainya; tanyakan kepada pihak yang menerbitkannya.</p>
`;

const CA = `<h2>1. Unduh sertifikat outlet</h2>
<p><a class="button" href="/ca.crt" download="kitchen-sync-outlet-ca.crt">Unduh sertifikat CA</a>
(<a href="/ca.crt?format=pem">PEM</a>)</p>
<p>Sebelum memercayainya, pastikan sidik jari SHA-256 ini sama dengan yang ditampilkan di PC
relay (konsol relay, <code>kitchen-sync-relay status</code> atau <code>/health</code>,
<code>tls.caFingerprint256</code>):<br><code>{{caFingerprint}}</code></p>
<p class="note">Pertama kali, browser memperingatkan bahwa halaman ini tidak privat: itu wajar
sampai sertifikatnya dipercaya. Yang diunduh hanya sertifikat publik ini; kunci privat CA tidak
pernah keluar dari relay.</p>

<h2>2. Percayai di perangkat</h2>
<h3>Android</h3>
<ol>
<li>Unduh sertifikat di atas.</li>
<li>Setelan → Keamanan &amp; privasi → Setelan keamanan lainnya → Enkripsi &amp; kredensial →
Instal sertifikat → <b>Sertifikat CA</b> → Tetap instal, lalu pilih file yang diunduh.</li>
<li>Chrome langsung memercayainya; mulai ulang browser lain.</li>
</ol>
<h3>iPad / iPhone (iPadOS, iOS)</h3>
<ol>
<li>Buka halaman ini di Safari dan unduh sertifikatnya; izinkan profil konfigurasi.</li>
<li>Pengaturan → Umum → VPN &amp; Manajemen Perangkat → profil yang diunduh → Instal.</li>
<li>Pengaturan → Umum → Mengenai → <b>Pengaturan Kepercayaan Sertifikat</b> → nyalakan
kepercayaan penuh untuk <b>{{caName}}</b>. Tanpa langkah ini Safari tetap menolak relay.</li>
</ol>
<h3>Windows</h3>
<ol>
<li>Klik dua kali file yang diunduh → Install Certificate → Local Machine →
<b>Trusted Root Certification Authorities</b>.</li>
<li>Atau, sebagai administrator: <code>certutil -addstore -f Root kitchen-sync-outlet-ca.crt</code></li>
<li>Banyak PC: sebarkan lewat Group Policy (Computer Configuration → Windows Settings → Security
Settings → Public Key Policies → Trusted Root Certification Authorities).</li>
</ol>
<h3>ChromeOS dan Chrome terkelola</h3>
<ol>
<li>Perangkat terkelola: Google Admin console → Devices → Networks → Certificates → unggah
sertifikat dan centang <b>Chromebook</b> (dan Chrome browser) sebagai otoritas sertifikat.</li>
<li>Chromebook tidak terkelola: chrome://certificate-manager → Local certificates → Custom →
Import, lalu percayai untuk situs web.</li>
</ol>

<h2>3. Akses jaringan lokal (Local Network Access)</h2>
<p>Halaman dari internet (misalnya POS cloud Anda) yang menghubungi relay ini di jaringan lokal
harus diizinkan: Chrome bertanya <i>"Izinkan … mengakses perangkat di jaringan lokal Anda?"</i>
sekali per situs; jawab <b>Izinkan</b>. Untuk kiosk terkelola, setel kebijakan Chrome
<code>LocalNetworkAccessAllowedForUrls</code> ke origin aplikasi agar tidak ada yang perlu
menjawab. Aplikasi yang dibuka dari alamat relay ini sendiri (di atas) tidak pernah memerlukan
izin ini.</p>
`;

export const SETUP_TEXTS_ID: SetupTexts = {
  lang: 'id',
  languageName: 'Bahasa Indonesia',
  title: 'Siapkan perangkat untuk relay kitchen-sync ini',
  page: PAGE,
  appLinks: APP_LINKS,
  noCa: NO_CA,
  ca: CA,
};
