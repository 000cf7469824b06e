import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs';

export interface CertificateFiles {
  cert: string;
  key: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export function readTlsPair(files: CertificateFiles): TlsPair {
  return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
}

export interface FollowOptions {
  /** How often the certificate file is looked at. */
  intervalMs?: number;
  /** The new pair did not load (e.g. half written): the old one stays in use. */
  onError?: (error: unknown) => void;
}

/**
 * Hands `apply` the pair again whenever the certificate file changes. In LAN mode these are the
 * relay's files, and the relay re-issues its certificate when the PC's address changes: read
 * once at start, central would go on serving the old one, which a tablet opening the new
 * address refuses. The relay writes the key first and then the certificate (each by rename),
 * so the certificate's change is the one to follow. Polled, not `fs.watch`ed: a rename into
 * place is seen the same on every platform.
 */
export function followCertificateFiles(
  files: CertificateFiles,
  apply: (pair: TlsPair) => void,
  { intervalMs = 1_000, onError }: FollowOptions = {},
): () => void {
  const changed = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino) return;
    if (current.nlink === 0 && current.mtimeMs === 0) return; // gone for now: keep the old pair
    try {
      apply(readTlsPair(files));
    } catch (error) {
      onError?.(error);
    }
  };
  watchFile(files.cert, { interval: intervalMs, persistent: false }, changed);
  return () => unwatchFile(files.cert, changed);
}
