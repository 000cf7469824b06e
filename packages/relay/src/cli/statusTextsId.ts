import {
  adviceKey,
  devicesByRole,
  durationIn,
  refusalsByReason,
  type StatusTexts,
  tlsFailureGroups,
} from './statusTexts.js';

const ROLE_NAMES_ID = {
  pos: 'POS/kiosk',
  kitchen: 'dapur',
  monitor: 'monitor',
  board: 'layar antrean',
  admin: 'admin',
};

const REFUSAL_WORDS_ID: Record<string, string> = {
  token_missing: 'tanpa token',
  token_malformed: 'bukan token',
  token_expired: 'token kedaluwarsa',
  invalid_signature: 'tanda tangan tidak sah (token dari secret lain)',
  token_not_yet_valid: 'token belum berlaku (jam PC ini terlambat)',
  token_lifetime: 'masa berlaku token lebih dari 400 hari',
  token_claims_invalid: 'isi token tidak sah',
  token_too_long: 'token terlalu panjang',
  outlet_not_served:
    'token untuk outlet yang tidak dilayani relay ini (--outlet): beri token outlet relay ini',
};

// The cashier who runs CHECK_KITCHEN_SYNC.bat reads Indonesian first (as /setup and the
// release README). Flags, file names and codes stay as typed.
const CENTRAL_ADVICE_ID: Record<string, string> = {
  central_unreachable:
    'periksa koneksi internet PC ini. Pesanan tetap berjalan di sini; semuanya terunggah sendiri begitu pusat menjawab.',
  central_timeout:
    'pusat menjawab terlalu lambat: periksa koneksi internet. Relay terus mencoba dengan kiriman yang lebih kecil.',
  central_not_advancing:
    'pusat menjawab unggahan tetapi tidak menyimpannya (posisinya tidak bergerak): periksa log pusat, dan pastikan tidak ada yang menjawab atas nama pusat (proxy, cache).',
  seq_gap:
    'pusat menolak unggahan karena melompati kejadian yang tidak pernah diterimanya (retensi relay sudah menghapusnya; log relay menyebutkannya): perbarui aplikasi kitchen_sync di pusat, yang menerima unggahan seperti itu.',
  relay_write_failed:
    'relay tidak bisa menulis kiriman pusat ke log-nya sendiri: periksa disk (baris penyimpanan di atas) dan file log relay; relay mencoba lagi sendiri.',
  unauthorized:
    'pusat menolak kredensial relay (kedaluwarsa atau salah): taruh yang baru di --central-token-file; dibaca ulang tanpa restart.',
  forbidden:
    'kredensial relay milik outlet lain: taruh kredensial outlet ini di --central-token-file.',
  central_outlet_mismatch:
    'kredensial relay milik outlet lain: taruh kredensial outlet ini di --central-token-file lalu jalankan ulang relay.',
  epoch_conflict:
    'dua relay memakai satu log (folder data yang disalin): hentikan salinannya. Lihat docs/relay.md, Bridge to central.',
  http_404:
    'pusat menjawab 404 (tidak ditemukan): view relay Kitchen Sync belum dipasang di URL pusat (sertakan URL kitchen_sync), atau versi pusat belum memilikinya. Beri tahu administrator pusat.',
  http_5xx:
    'pusat gagal memproses permintaan relay (HTTP 5xx): minta administrator pusat memeriksa log galat pusat. Relay terus mencoba sendiri.',
  internal:
    'pusat gagal memproses permintaan relay: minta administrator pusat memeriksa log galat pusat; jika di sana tidak ada apa-apa, lihat file log relay ini.',
  other: 'lihat file log relay dan docs/relay.md, Bridge to central, untuk kode ini.',
};

export const STATUS_TEXTS_ID: StatusTexts = {
  duration: durationIn({ d: 'hari', h: 'jam', min: 'menit', s: 'detik' }),
  running: (url) => `Relay Kitchen Sync BERJALAN di ${url}`,
  problem: (url) => `Relay Kitchen Sync di ${url} menjawab tetapi ada MASALAH`,
  versionUp: (version, up) => `  versi ${version}, sudah aktif ${up}`,
  devices: (pos, kitchen, monitor, board) =>
    `  perangkat terhubung: ${pos} POS/kiosk, ${kitchen} dapur, ${monitor} monitor, ${board} layar antrean`,
  logPosition: (head, log) =>
    `  posisi log: kejadian ke-${head} (satu per pesanan baru atau perubahannya, bukan nomor pesanan; log: ${log})`,
  diskFull: (since) =>
    `  DISK PENUH sejak ${since}: pesanan baru ditolak. Kosongkan sebagian ruang disk.`,
  diskReadOnly: (since) =>
    `  DISK DATA HANYA-BACA sejak ${since}: pesanan baru tidak tersimpan (perangkat menyimpannya dan mencoba lagi). Periksa disk (dmesg atau Event Viewer; fsck atau chkdsk), buat agar bisa ditulis, lalu jalankan ulang relay.`,
  diskFailing: (since) =>
    `  DISK DATA RUSAK (galat I/O) sejak ${since}: pesanan baru tidak tersimpan (perangkat menyimpannya dan mencoba lagi). Salin folder data ke tempat lain, lalu periksa atau ganti disk.`,
  storageFailing: (since) => `  penulisan log gagal sejak ${since}: lihat file log.`,
  storageOk: '  penyimpanan: OK',
  servedOutlets: (outlets) =>
    `  hanya melayani outlet ${outlets.join(', ')} (--outlet): perangkat dengan token outlet lain ditolak`,
  loopbackOnly: (host) =>
    `  PERINGATAN: relay hanya mendengarkan di ${host} (--host): tablet tidak bisa menjangkau relay yang terikat ke ${host}. Jalankan tanpa --host (semua antarmuka) atau dengan alamat LAN PC ini.`,
  clockOff: (clock, off) =>
    `  PERINGATAN: jam PC ini ${off} ${clock.offsetSeconds > 0 ? 'lebih cepat dari' : 'lebih lambat dari'} ${clock.source === 'central' ? 'jam pusat' : 'jam yang menerbitkan token perangkat'}: timer dapur dan masa berlaku token jadi salah; perbaiki jamnya (nyalakan sinkronisasi waktu otomatis).`,
  outletWithoutOrders: ({ outlet, clients }, logged) =>
    `  PERINGATAN: ada perangkat terhubung untuk outlet ${outlet} (${devicesByRole(clients, ROLE_NAMES_ID)}), tetapi relay ini hanya punya pesanan untuk outlet ${logged.join(', ')}: perangkat dengan token outlet lain tampak "Live" tetapi tidak menerima satu pun. Beri token untuk outlet ini (GET /clients dengan token admin mencantumkannya di other_outlets).`,
  refusedDevices: (refused) => {
    const devices = new Set(refused.map((row) => row.client_id)).size;
    return `  PERINGATAN: ${devices} perangkat ditolak dalam 10 menit terakhir: ${refusalsByReason(refused, REFUSAL_WORDS_ID)}. Beri token baru; log relay menyebut setiap perangkat beserta alamatnya.`;
  },
  logFileFailing: (since, cause, dropped) =>
    `  PERINGATAN: file log tidak bisa ditulis sejak ${since} (${cause}); pesanan tidak terpengaruh. Kosongkan ruang di disknya atau buat agar bisa ditulis${dropped ? ` (${dropped} baris log terbuang sejauh ini)` : ''}.`,
  unreadableRows: (count, since) =>
    `  PERINGATAN: ${count} baris log pesanan tidak bisa dibaca (rusak di disk, pertama sejak ${since}); dapur mendapat snapshot yang melewatinya. Periksa disknya, dan lihat "Recovering a damaged log" di dokumentasi relay.`,
  bridgeHolder: (holder, here) =>
    here
      ? '  jembatan ke pusat: dijalankan oleh node klaster ini'
      : holder
        ? `  jembatan ke pusat: dijalankan oleh node ${holder} (node ini mengambil alih bila node itu berhenti)`
        : '  PERINGATAN: saat ini tidak ada node klaster yang menjalankan jembatan ke pusat; satu node mengambilnya dalam beberapa detik (bila berlanjut, periksa koneksi node-node ke PostgreSQL).',
  centralSynced: '  pusat (central): semua sudah terunggah',
  centralBehind: (state, pending, behind, errorCode) =>
    `  pusat (central): ${pending} kejadian belum terunggah` +
    (pending ? `, yang tertua sejak ${behind} lalu` : '') +
    ` (${state}${errorCode ? `, galat terakhir ${errorCode}` : ''})`,
  centralAdvice: (code) =>
    `  yang harus dilakukan: ${CENTRAL_ADVICE_ID[adviceKey(CENTRAL_ADVICE_ID, code)]}`,
  centralWarning: (behind, threshold) =>
    `  PERINGATAN: pusat tertinggal ${behind} dari relay ini (lebih dari ${threshold}): laporan dan halaman pesanan di pusat tidak memuat pesanan outlet ini sejak itu.`,
  downlinkFailing: (state, since, errorCode) =>
    `  pesanan web dari pusat: tidak ada yang diterima sejak ${since ?? 'relay dijalankan'}` +
    ` (${state}${errorCode ? `, galat terakhir ${errorCode}` : ''})`,
  downlinkWarning: (quiet, threshold) =>
    `  PERINGATAN: tidak ada pesanan yang dibuat di pusat (toko web, aplikasi pesan-antar) yang sampai ke outlet ini selama ${quiet} (lebih dari ${threshold}): pusat menolaknya (outlet_offline), atau tamunya menunggu makanan yang tidak pernah sampai ke dapur ini.`,
  certificateDays: (days) => `  sertifikat HTTPS masih berlaku ${days} hari lagi`,
  caExpiring: (caNotAfter, days, source) =>
    `  PERINGATAN: CA yang dipercayai perangkat berakhir pada ${caNotAfter} (${days} hari lagi): setelah itu semua perangkat menolak relay, dan memperbarui sertifikatnya tidak menolong. ` +
    (source === 'auto'
      ? 'Sebelum itu buat CA baru (hentikan relay, pindahkan tls/ca.crt dan tls/ca.key, jalankan kitchen-sync-relay cert) lalu pasang di setiap perangkat (/setup).'
      : 'Sebelum itu minta CA dan sertifikat baru dari penerbitnya, lalu pasang CA baru di setiap perangkat.'),
  caExpired: (caNotAfter, source) =>
    `  CA YANG DIPERCAYAI PERANGKAT SUDAH BERAKHIR pada ${caNotAfter}: semua perangkat menolak relay, dan memperbarui sertifikatnya tidak menolong. ` +
    (source === 'auto'
      ? 'Buat CA baru (hentikan relay, pindahkan tls/ca.crt dan tls/ca.key, jalankan kitchen-sync-relay cert) lalu pasang di setiap perangkat (/setup).'
      : 'Minta CA dan sertifikat baru dari penerbitnya, lalu pasang CA baru di setiap perangkat.'),
  tlsFailures: (failures, source) => {
    const { untrusted, mismatched, addresses } = tlsFailureGroups(failures);
    const lines = [...mismatched].map(
      ([name, rows]) =>
        `  PERINGATAN: ${addresses(rows).length} perangkat meminta ${name}, nama yang tidak tercantum di sertifikat relay ini (${addresses(rows).join(', ')}): ` +
        (source === 'auto'
          ? `tambahkan --name ${name} (atau berikan nama yang tercantum).`
          : `terbitkan sertifikat yang juga mencantumkan ${name} (atau berikan nama yang tercantum).`),
    );
    if (untrusted.length > 0) {
      lines.push(
        `  PERINGATAN: ${addresses(untrusted).length} perangkat menolak sertifikat relay ini dalam 10 menit terakhir (${addresses(untrusted).join(', ')}): perangkat itu belum memercayai CA outlet. Buka alamat /setup di bawah pada setiap perangkat.`,
      );
    }
    if (lines.length === 0) {
      lines.push(
        `  PERINGATAN: jabat tangan TLS gagal dalam 10 menit terakhir (${failures.map((f) => `${f.address}: ${f.reason}`).join(', ')}); lihat log relay.`,
      );
    }
    return lines;
  },
  certificateExpired: (notAfter) =>
    `  SERTIFIKAT HTTPS SUDAH KEDALUWARSA sejak ${notAfter}: tablet menolak relay. Perbarui (--tls auto: jalankan ulang relay atau kitchen-sync-relay cert; --tls-cert: ganti file-nya, lalu SIGHUP).`,
  newTablet: (urls) =>
    `  tablet baru? buka sekali untuk memercayai relay ini: ${urls.join(' atau ')}`,
  caFingerprint: (fingerprint) =>
    `  SHA-256 CA (harus sama dengan yang ditampilkan /setup): ${fingerprint}`,
  notRunning: (url, why) => [
    `Relay Kitchen Sync TIDAK BERJALAN: tidak ada yang menjawab di ${url} (${why}).`,
    '  Jalankan dengan START_KITCHEN_SYNC.bat (atau kitchen-sync-relay serve), lalu periksa lagi.',
  ],
  lastProblem: (time, msg, logFile) => [
    `  galat terakhir di log-nya (${time}): ${msg}`,
    `  (di ${logFile})`,
  ],
  unverified: (url, why) => {
    switch (why) {
      case 'CERT_HAS_EXPIRED':
        return [
          `Relay Kitchen Sync menjawab di ${url}, tetapi SERTIFIKAT HTTPS-NYA SUDAH KEDALUWARSA (${why}): tablet menolak relay.`,
          '  Perbarui: dengan --tls auto relay memperbarui sendiri (jalankan ulang; log-nya menyebut kenapa belum),',
          '  atau jalankan kitchen-sync-relay cert; dengan --tls-cert ganti file-nya dengan yang baru (relay',
          '  membacanya sendiri, atau kirim SIGHUP). Periksa juga jam PC ini.',
        ];
      case 'CERT_NOT_YET_VALID':
        return [
          `Relay Kitchen Sync menjawab di ${url}, tetapi sertifikat HTTPS-nya BELUM BERLAKU (${why}):`,
          '  jam PC ini lebih lambat dari tanggal terbitnya, atau diterbitkan oleh PC yang jamnya terlalu cepat. Perbaiki jamnya.',
        ];
      case 'ERR_TLS_CERT_ALTNAME_INVALID':
        return [
          `Relay Kitchen Sync menjawab di ${url}, tetapi sertifikatnya tidak mencantumkan nama ini (${why}).`,
          '  Untuk sertifikat tanpa localhost berikan status --tls-cert F (atau KS_TLS_CERT): diperiksa dengan namanya sendiri.',
        ];
      default:
        return [
          `Relay Kitchen Sync menjawab di ${url}, tetapi sertifikatnya tidak dapat diverifikasi di sini (${why}).`,
          '  Berikan CA kepada status: --tls-dir D (atau KS_TLS_DIR) untuk --tls auto, --tls-ca F (atau',
          '  KS_TLS_CA) untuk CA perusahaan; untuk sertifikat tanpa localhost juga --tls-cert F.',
        ];
    }
  },
  caUnreadable: (file) =>
    `  CA-nya ada, tetapi pengguna ini tidak boleh membaca ${file}: jalankan status sebagai pengguna relay (sudo).`,
  httpsOnly: (url, httpsOrigin) =>
    `Relay Kitchen Sync di ${url} hanya melayani HTTPS: tanyakan ${httpsOrigin} saja (--url).`,
};
