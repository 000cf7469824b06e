/** What `status` says, in one language: each line as the cashier's PC shows it. */
export interface StatusTexts {
  /** "2 h 5 min": how long the relay has been up. */
  duration(seconds: number): string;
  running(url: string): string;
  problem(url: string): string;
  versionUp(version: string, up: string): string;
  devices(pos: number, kitchen: number, monitor: number): string;
  /**
   * Where the event log is (`head_seq`): it counts new orders and every change to one, so it is
   * no order number and no order count, and must not read as either.
   */
  logPosition(head: number, log: string): string;
  diskFull(since: string): string;
  storageFailing(since: string): string;
  storageOk: string;
  certificateDays(days: number): string;
  newTablet(setupUrls: string[]): string;
  caFingerprint(fingerprint: string): string;
  notRunning(url: string, why: string): string[];
  /** The relay log's last error, under NOT RUNNING. */
  lastProblem(time: string, msg: string, logFile: string): string[];
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

export const STATUS_TEXTS_EN: StatusTexts = {
  duration: durationIn({ d: 'd', h: 'h', min: 'min', s: 's' }),
  running: (url) => `Kitchen Sync relay is RUNNING at ${url}`,
  problem: (url) => `Kitchen Sync relay at ${url} answers but has a PROBLEM`,
  versionUp: (version, up) => `  version ${version}, up ${up}`,
  devices: (pos, kitchen, monitor) =>
    `  devices connected: ${pos} POS/kiosk, ${kitchen} kitchen, ${monitor} monitor`,
  logPosition: (head, log) =>
    `  log position: event ${head} (one per new order or change to one, not an order number; log: ${log})`,
  diskFull: (since) =>
    `  THE DISK IS FULL since ${since}: new orders are refused. Free some space.`,
  storageFailing: (since) => `  writing to the log fails since ${since}: see the log file.`,
  storageOk: '  storage: OK',
  certificateDays: (days) => `  HTTPS certificate valid for ${days} more days`,
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
  unverified: (url, why) => [
    `Kitchen Sync relay answers at ${url}, but its certificate cannot be verified here (${why}).`,
    '  Give status the CA: --tls-dir D (or KS_TLS_DIR) for --tls auto, --tls-ca F (or KS_TLS_CA)',
    '  for a company CA; for a certificate without localhost also --tls-cert F.',
  ],
  caUnreadable: (file) =>
    `  The CA is there, but this user may not read ${file}: run status as the relay's user (sudo).`,
  httpsOnly: (url, httpsOrigin) =>
    `Kitchen Sync relay at ${url} serves HTTPS only: ask ${httpsOrigin} instead (--url).`,
};
