/**
 * What a bridge error code means on a screen: a few words for the status line and what to do,
 * as the relay's `kitchen-sync-relay status --lang id` advises it (statusTextsId.ts). Every
 * code read as "unreachable" sent the on-call engineer to the internet line while central was
 * refusing the relay's credential.
 */
export interface BridgeProblem {
  what: string;
  advice: string;
}

const CREDENTIAL_OF_ANOTHER_OUTLET: BridgeProblem = {
  what: "has the relay's credential as another outlet's",
  advice: 'kredensial relay milik outlet lain: pasang kredensial outlet ini di file token relay.',
};
const SERVER_ERROR: BridgeProblem = {
  what: 'fails (server error)',
  advice: 'pusat error: minta administrator pusat memeriksa log galat pusat; relay terus mencoba.',
};

const PROBLEMS: Record<string, BridgeProblem> = {
  central_unreachable: {
    what: 'unreachable',
    advice:
      'periksa koneksi internet PC relay; pesanan tetap berjalan dan terunggah sendiri nanti.',
  },
  central_timeout: {
    what: 'too slow',
    advice: 'pusat menjawab terlalu lambat: periksa koneksi internet PC relay.',
  },
  unauthorized: {
    what: "refuses the relay's credential",
    advice:
      'pusat menolak kredensial relay: ganti file token (--central-token-file); dibaca ulang tanpa restart.',
  },
  forbidden: CREDENTIAL_OF_ANOTHER_OUTLET,
  central_outlet_mismatch: CREDENTIAL_OF_ANOTHER_OUTLET,
  central_not_advancing: {
    what: 'does not keep the upload',
    advice: 'pusat tidak menyimpan unggahan: periksa log pusat (dan proxy/cache di depannya).',
  },
  seq_gap: {
    what: 'refuses an upload with a gap',
    advice: 'perbarui aplikasi kitchen_sync di pusat; log relay menyebutkan kejadian yang hilang.',
  },
  relay_write_failed: {
    what: "orders cannot be written into the relay's log",
    advice: 'relay tidak bisa menulis ke log-nya: periksa disk PC relay dan file log relay.',
  },
  epoch_conflict: {
    what: 'sees two relays on one log',
    advice: 'dua relay memakai satu folder data (salinan): hentikan salinannya.',
  },
  http_404: {
    what: 'has no relay views (404)',
    advice: 'view relay Kitchen Sync belum dipasang di pusat: beri tahu administrator pusat.',
  },
  internal: SERVER_ERROR,
};

/** The problem for a code: a 5xx without a code is a server error; an unknown code says itself. */
export function bridgeProblem(code: string): BridgeProblem {
  if (Object.hasOwn(PROBLEMS, code)) return PROBLEMS[code] as BridgeProblem;
  if (/^http_5\d\d$/.test(code)) return SERVER_ERROR;
  return { what: `fails (${code})`, advice: 'lihat file log relay untuk kode ini.' };
}
