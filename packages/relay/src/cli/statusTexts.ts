import type {
  ClockHealth,
  OutletsWithoutOrders,
  RefusedDevice,
  TlsHandshakeFailure,
} from '@kitchen-sync/protocol';

/** What `status` says, in one language: each line as the cashier's PC shows it. */
export interface StatusTexts {
  /** "2 h 5 min": how long the relay has been up. */
  duration(seconds: number): string;
  running(url: string): string;
  problem(url: string): string;
  versionUp(version: string, up: string): string;
  devices(pos: number, kitchen: number, monitor: number, board: number): string;
  /**
   * Where the event log is (`head_seq`): it counts new orders and every change to one, so it is
   * no order number and no order count, and must not read as either.
   */
  logPosition(head: number, log: string): string;
  diskFull(since: string): string;
  /** `storage_readonly`: the data disk (or dir) takes no writes. */
  diskReadOnly(since: string): string;
  /** `storage_failed`: the data disk answers writes with I/O errors. */
  diskFailing(since: string): string;
  storageFailing(since: string): string;
  storageOk: string;
  /** `/health` `log`: the log file cannot be written (orders are not affected). */
  logFileFailing(since: string, cause: string, dropped: number): string;
  /** `/health` `unreadable_rows`: stored rows damaged on disk, gone around since `since`. */
  unreadableRows(count: number, since: string): string;
  /**
   * A node of a PostgreSQL cluster: which node runs the bridge to central (`here`: this one;
   * `holder` null: none right now, another takes it within seconds).
   */
  bridgeHolder(holder: string | null, here: boolean): string;
  /** `/health` `refused_devices`: devices whose token was refused in the last 10 minutes. */
  refusedDevices(refused: RefusedDevice[]): string;
  /** `/health` `served_outlets`: the only outlets whose devices may sign in (`--outlet`). */
  servedOutlets(outlets: string[]): string;
  /** `/health` `host` is a loopback address: no tablet can reach the relay. */
  loopbackOnly(host: string): string;
  /** `/health` `clock`: this PC's clock is off by `off` (a duration) from `clock.source`'s. */
  clockOff(clock: ClockHealth, off: string): string;
  /** `/health` `outlets_without_orders`: one line per such outlet. */
  outletWithoutOrders(
    connected: OutletsWithoutOrders['connected'][number],
    logged: string[],
  ): string;
  /** `/health` `bridge`: central has everything. */
  centralSynced: string;
  /** Central lacks `pending` events, the oldest `behind` old; the bridge's state and last error. */
  centralBehind(state: string, pending: number, behind: string, errorCode: string | null): string;
  /** What to do about the bridge's last error code (docs/relay.md, Bridge to central). */
  centralAdvice(errorCode: string): string;
  /** Central more than `threshold` behind. */
  centralWarning(behind: string, threshold: string): string;
  /**
   * The downlink's polls fail: no order made at central has come in since `since` (its last
   * answered poll; null: not since the relay started); its state and last error.
   */
  downlinkFailing(state: string, since: string | null, errorCode: string | null): string;
  /** No answered downlink poll for `quiet`, more than `threshold`. */
  downlinkWarning(quiet: string, threshold: string): string;
  certificateDays(days: number): string;
  /**
   * `/health` `tls_failures`: devices whose TLS handshake failed in the last 10 minutes, one
   * line per cause; `source`: whose certificate it is (what to do about a name it lacks).
   */
  tlsFailures(failures: TlsHandshakeFailure[], source: 'files' | 'auto'): string[];
  /** `/health` `tls.ok: false`: the certificate served expired at `notAfter`. */
  certificateExpired(notAfter: string): string;
  /**
   * `/health` `tls.caDaysLeft` under 30: the CA ends at `caNotAfter` (local time) and every
   * certificate under it with it; `source`: whose CA it is (what to do).
   */
  caExpiring(caNotAfter: string, days: number, source: 'files' | 'auto'): string;
  /** `/health` `tls.error: "ca_expired"`: the CA devices trust ended at `caNotAfter`. */
  caExpired(caNotAfter: string, source: 'files' | 'auto'): string;
  newTablet(setupUrls: string[]): string;
  caFingerprint(fingerprint: string): string;
  notRunning(url: string, why: string): string[];
  /** The relay log's last error, under NOT RUNNING. */
  lastProblem(time: string, msg: string, logFile: string): string[];
  /** The certificate was refused with code `why` (CERT_HAS_EXPIRED, ...): what to do for it. */
  unverified(url: string, why: string): string[];
  /** Under `unverified`: the CA is there, but this user may not read it. */
  caUnreadable(file: string): string;
  httpsOnly(url: string, httpsOrigin: string): string;
}

/** Days, hours, minutes or seconds, the two largest that apply, in the language's units. */
export function durationIn(units: { d: string; h: string; min: string; s: string }) {
  return (seconds: number): string => {
    const minutes = Math.floor(seconds / 60);
    if (minutes < 1) return `${Math.floor(seconds)} ${units.s}`;
    const hours = Math.floor(minutes / 60);
    if (hours < 1) return `${minutes} ${units.min}`;
    const days = Math.floor(hours / 24);
    return days >= 1
      ? `${days} ${units.d} ${hours % 24} ${units.h}`
      : `${hours} ${units.h} ${minutes % 60} ${units.min}`;
  };
}

/**
 * The advice table's key for a bridge error code: the code itself, `http_5xx` for any 5xx
 * central (or a proxy in front of it) answered without a code, else `other`.
 */
export function adviceKey(advice: Record<string, string>, code: string): string {
  if (code in advice) return code;
  return /^http_5\d\d$/.test(code) ? 'http_5xx' : 'other';
}

const CENTRAL_ADVICE_EN: Record<string, string> = {
  central_unreachable:
    "check this PC's internet connection. Orders keep working here; they are uploaded by themselves once central answers.",
  central_timeout:
    'central answers too slowly: check the internet connection. The relay keeps trying with smaller batches.',
  central_not_advancing:
    "central answers the upload but does not keep it (its position stays put): check central's log, and that nothing in front of central (a proxy, a cache) answers for it.",
  seq_gap:
    "central refuses the upload as skipping events it never got (the relay's retention removed them; the relay's log says so): update central's kitchen_sync app, which takes such an upload.",
  relay_write_failed:
    'the relay cannot write what central sent into its own log: check the disk (storage line above) and the relay log file; it tries again by itself.',
  unauthorized:
    'central refuses the relay credential (expired or wrong): put a new one in the --central-token-file; it is read again without a restart.',
  forbidden:
    "the relay credential is another outlet's: put this outlet's in the --central-token-file.",
  central_outlet_mismatch:
    "the relay credential is another outlet's: put this outlet's in the --central-token-file and restart the relay.",
  epoch_conflict:
    'two relays share one log (a copied data dir): stop the copy. See docs/relay.md, Bridge to central.',
  http_404:
    "central answers 404 (not found): its Kitchen Sync relay views are not routed (include kitchen_sync's URLs there), or central runs a version without them. Tell central's administrator.",
  http_5xx:
    "central fails on the relay's requests (HTTP 5xx): tell central's administrator to look at central's error log. The relay keeps trying by itself.",
  internal:
    "central failed on the relay's request: tell central's administrator to look at central's error log; if it has nothing, see this relay's log file.",
  other: "see the relay's log file and docs/relay.md, Bridge to central, for this code.",
};

/**
 * "token expired (kds-2, kds-3); invalid signature (pos-1)": the reasons in `words`, each with
 * the devices refused for it.
 */
export function refusalsByReason(refused: RefusedDevice[], words: Record<string, string>): string {
  const byReason = new Map<string, string[]>();
  for (const row of refused) {
    const devices = byReason.get(row.reason) ?? [];
    devices.push(row.client_id);
    byReason.set(row.reason, devices);
  }
  return [...byReason]
    .map(([reason, devices]) => `${words[reason] ?? reason} (${devices.join(', ')})`)
    .join('; ');
}

/**
 * The failed handshakes `status` names apart: devices without the CA, and per name asked for,
 * devices whose name the certificate does not list; `addresses`: the distinct ones of rows.
 */
export function tlsFailureGroups(failures: TlsHandshakeFailure[]) {
  const mismatched = new Map<string, TlsHandshakeFailure[]>();
  for (const row of failures) {
    if (row.reason !== 'certificate_name_mismatch' || !row.name) continue;
    mismatched.set(row.name, [...(mismatched.get(row.name) ?? []), row]);
  }
  return {
    untrusted: failures.filter((f) => f.reason === 'certificate_untrusted'),
    mismatched,
    addresses: (rows: TlsHandshakeFailure[]) => [...new Set(rows.map((f) => f.address))],
  };
}

const REFUSAL_WORDS_EN: Record<string, string> = {
  token_missing: 'no token',
  token_malformed: 'not a token',
  token_expired: 'token expired',
  invalid_signature: 'invalid signature (a token of another secret)',
  token_not_yet_valid: "token not valid yet (this PC's clock is behind)",
  token_lifetime: 'token lifetime over 400 days',
  token_claims_invalid: 'token claims invalid',
  token_too_long: 'token too long',
  outlet_not_served:
    "token for an outlet this relay does not serve (--outlet): give a token of this relay's outlet",
};

/** "1 kitchen, 2 POS": the devices of each role, in the language's role names. */
export function devicesByRole(
  clients: OutletsWithoutOrders['connected'][number]['clients'],
  names: Record<string, string>,
): string {
  return Object.entries(clients)
    .map(([role, count]) => `${count} ${names[role] ?? role}`)
    .join(', ');
}

const ROLE_NAMES_EN = {
  pos: 'POS/kiosk',
  kitchen: 'kitchen',
  monitor: 'monitor',
  board: 'pickup board',
  admin: 'admin',
};

export const STATUS_TEXTS_EN: StatusTexts = {
  duration: durationIn({ d: 'd', h: 'h', min: 'min', s: 's' }),
  running: (url) => `Kitchen Sync relay is RUNNING at ${url}`,
  problem: (url) => `Kitchen Sync relay at ${url} answers but has a PROBLEM`,
  versionUp: (version, up) => `  version ${version}, up ${up}`,
  devices: (pos, kitchen, monitor, board) =>
    `  devices connected: ${pos} POS/kiosk, ${kitchen} kitchen, ${monitor} monitor, ${board} pickup board`,
  logPosition: (head, log) =>
    `  log position: event ${head} (one per new order or change to one, not an order number; log: ${log})`,
  diskFull: (since) =>
    `  THE DISK IS FULL since ${since}: new orders are refused. Free some space.`,
  diskReadOnly: (since) =>
    `  THE DATA DISK IS READ-ONLY since ${since}: new orders are not stored (the devices keep them and retry). Check the disk (dmesg or Event Viewer; fsck or chkdsk), make it writable, restart the relay.`,
  diskFailing: (since) =>
    `  THE DATA DISK FAILS (I/O errors) since ${since}: new orders are not stored (the devices keep them and retry). Copy the data dir elsewhere, then check or replace the disk.`,
  storageFailing: (since) => `  writing to the log fails since ${since}: see the log file.`,
  storageOk: '  storage: OK',
  logFileFailing: (since, cause, dropped) =>
    `  WARNING: the log file cannot be written since ${since} (${cause}); orders are not affected. Free space on its disk or make it writable${dropped ? ` (${dropped} log lines dropped so far)` : ''}.`,
  unreadableRows: (count, since) =>
    `  WARNING: ${count} stored row${count === 1 ? '' : 's'} of the order log could not be read (damaged on disk, first since ${since}); kitchens get a snapshot around ${count === 1 ? 'it' : 'them'}. Check the disk, and see "Recovering a damaged log" in the relay's docs.`,
  bridgeHolder: (holder, here) =>
    here
      ? '  bridge to central: run by this node of the cluster'
      : holder
        ? `  bridge to central: run by node ${holder} (this node takes it over if that one stops)`
        : "  WARNING: no node of the cluster runs the bridge to central right now; one takes it within seconds (if this lasts, check the nodes' connections to PostgreSQL).",
  refusedDevices: (refused) => {
    const devices = new Set(refused.map((row) => row.client_id)).size;
    return `  WARNING: ${devices} device${devices === 1 ? '' : 's'} refused in the last 10 min: ${refusalsByReason(refused, REFUSAL_WORDS_EN)}. Give ${devices === 1 ? 'it' : 'them'} a new token; the relay's log names each with its address.`;
  },
  servedOutlets: (outlets) =>
    `  serves outlet ${outlets.join(', ')} only (--outlet): devices with another outlet's token are refused`,
  loopbackOnly: (host) =>
    `  WARNING: the relay listens on ${host} only (--host): tablets cannot reach a relay bound to ${host}. Start it without --host (every interface) or with this PC's LAN address.`,
  clockOff: (clock, off) =>
    `  WARNING: this PC's clock is ${off} ${clock.offsetSeconds > 0 ? 'ahead of' : 'behind'} ${clock.source === 'central' ? "central's" : "the clock that issued the devices' tokens"}: kitchen timers and token expiry are wrong; fix the time (turn on automatic time sync).`,
  outletWithoutOrders: ({ outlet, clients }, logged) =>
    `  WARNING: devices connected for outlet ${outlet} (${devicesByRole(clients, ROLE_NAMES_EN)}), but this relay has orders only for outlet ${logged.join(', ')}: a device with another outlet's token shows "Live" and gets none of them. Give it a token for this outlet (GET /clients with an admin token lists it under other_outlets).`,
  centralSynced: '  central: everything uploaded',
  centralBehind: (state, pending, behind, errorCode) =>
    `  central: ${pending} event${pending === 1 ? '' : 's'} not uploaded yet` +
    (pending ? `, the oldest for ${behind}` : '') +
    ` (${state}${errorCode ? `, last error ${errorCode}` : ''})`,
  centralAdvice: (code) => `  what to do: ${CENTRAL_ADVICE_EN[adviceKey(CENTRAL_ADVICE_EN, code)]}`,
  centralWarning: (behind, threshold) =>
    `  WARNING: central is ${behind} behind this relay (more than ${threshold}): its reports and order pages lack this outlet's orders since then.`,
  downlinkFailing: (state, since, errorCode) =>
    `  web orders from central: none received since ${since ?? 'the relay started'}` +
    ` (${state}${errorCode ? `, last error ${errorCode}` : ''})`,
  downlinkWarning: (quiet, threshold) =>
    `  WARNING: no order made at central (web shop, delivery apps) has reached this outlet for ${quiet} (more than ${threshold}): central refuses them (outlet_offline), or its guests wait for food this kitchen never gets.`,
  certificateDays: (days) => `  HTTPS certificate valid for ${days} more days`,
  caExpiring: (caNotAfter, days, source) =>
    `  WARNING: the CA that devices trust ends on ${caNotAfter} (${days} days): then every device refuses the relay, and renewing its certificate cannot help. ` +
    (source === 'auto'
      ? 'Before then make a new CA (stop the relay, move tls/ca.crt and tls/ca.key away, run kitchen-sync-relay cert) and install it on every device (/setup).'
      : 'Before then get a new CA and certificate from whoever issues them, and install the new CA on every device.'),
  caExpired: (caNotAfter, source) =>
    `  THE CA THAT DEVICES TRUST ENDED on ${caNotAfter}: every device refuses the relay, and renewing its certificate cannot help. ` +
    (source === 'auto'
      ? 'Make a new CA (stop the relay, move tls/ca.crt and tls/ca.key away, run kitchen-sync-relay cert) and install it on every device (/setup).'
      : 'Get a new CA and certificate from whoever issues them, and install the new CA on every device.'),
  tlsFailures: (failures, source) => {
    const { untrusted, mismatched, addresses } = tlsFailureGroups(failures);
    const lines = [...mismatched].map(
      ([name, rows]) =>
        `  WARNING: ${addresses(rows).length} device(s) asked for ${name}, which this relay's certificate does not list (${addresses(rows).join(', ')}): ` +
        (source === 'auto'
          ? `add --name ${name} (or hand out a listed name).`
          : `issue the certificate for ${name} too (or hand out a listed name).`),
    );
    if (untrusted.length > 0) {
      lines.push(
        `  WARNING: ${addresses(untrusted).length} device(s) refused this relay's certificate in the last 10 min (${addresses(untrusted).join(', ')}): they do not trust the outlet CA. Open the /setup address below on each.`,
      );
    }
    if (lines.length === 0) {
      lines.push(
        `  WARNING: TLS handshakes failed in the last 10 min (${failures.map((f) => `${f.address}: ${f.reason}`).join(', ')}); see the relay's log.`,
      );
    }
    return lines;
  },
  certificateExpired: (notAfter) =>
    `  THE HTTPS CERTIFICATE EXPIRED on ${notAfter}: tablets refuse the relay. Renew it (--tls auto: restart the relay or run kitchen-sync-relay cert; --tls-cert: replace the files, then SIGHUP).`,
  newTablet: (urls) => `  new tablet? open once to trust this relay: ${urls.join(' or ')}`,
  caFingerprint: (fingerprint) => `  CA SHA-256 (the one /setup must show): ${fingerprint}`,
  notRunning: (url, why) => [
    `Kitchen Sync relay is NOT RUNNING: nothing answers at ${url} (${why}).`,
    '  Start it with START_KITCHEN_SYNC.bat (or kitchen-sync-relay serve), then check again.',
  ],
  lastProblem: (time, msg, logFile) => [
    `  its log's last error (${time}): ${msg}`,
    `  (in ${logFile})`,
  ],
  unverified: (url, why) => {
    switch (why) {
      case 'CERT_HAS_EXPIRED':
        return [
          `Kitchen Sync relay answers at ${url}, but its HTTPS CERTIFICATE HAS EXPIRED (${why}): tablets refuse the relay.`,
          '  Renew it: with --tls auto the relay renews its own (restart it; its log says why it did not),',
          '  or run kitchen-sync-relay cert; with --tls-cert replace the files with renewed ones (the relay',
          "  picks them up, or send it SIGHUP). Check this PC's clock too.",
        ];
      case 'CERT_NOT_YET_VALID':
        return [
          `Kitchen Sync relay answers at ${url}, but its HTTPS certificate is NOT VALID YET (${why}):`,
          "  this PC's clock is behind the date it was issued, or it was issued by a PC whose clock was ahead. Fix the clock.",
        ];
      case 'ERR_TLS_CERT_ALTNAME_INVALID':
        return [
          `Kitchen Sync relay answers at ${url}, but its certificate does not list this name (${why}).`,
          '  For a certificate without localhost give status --tls-cert F (or KS_TLS_CERT): it is checked against its own name.',
        ];
      default:
        return [
          `Kitchen Sync relay answers at ${url}, but its certificate cannot be verified here (${why}).`,
          '  Give status the CA: --tls-dir D (or KS_TLS_DIR) for --tls auto, --tls-ca F (or KS_TLS_CA)',
          '  for a company CA; for a certificate without localhost also --tls-cert F.',
        ];
    }
  },
  caUnreadable: (file) =>
    `  The CA is there, but this user may not read ${file}: run status as the relay's user (sudo).`,
  httpsOnly: (url, httpsOrigin) =>
    `Kitchen Sync relay at ${url} serves HTTPS only: ask ${httpsOrigin} instead (--url).`,
};
