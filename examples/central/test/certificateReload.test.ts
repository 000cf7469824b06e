import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { ensureOutletCertificate } from '@kitchen-sync/relay';
import { afterEach, expect, test } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The certificate central presents to a new connection, checked against the outlet CA. */
function servedCertificate(port: number, ca: Buffer): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => {
      const certificate = socket.getPeerX509Certificate();
      socket.end();
      if (certificate) resolve(certificate);
      else reject(new Error('no certificate'));
    });
    socket.once('error', reject);
  });
}

/**
 * `pnpm start -- --lan`: central serves the relay's certificate files. The relay re-issues its
 * certificate when the PC's address changes; a tablet opening the new address must get the new
 * certificate from central as well, or it sees a blank page.
 */
test('central in LAN mode serves the certificate the relay re-issued, without a restart', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ks-central-reissue-'));
  const issue = (addresses: string[]) =>
    ensureOutletCertificate({ dir: dir!, names: ['localhost'], addresses });
  const files = await issue(['127.0.0.1']);
  const ca = readFileSync(files.caCertPath);
  child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      CENTRAL_PORT: '0',
      CENTRAL_HOST: '127.0.0.1',
      CENTRAL_TLS_CERT: files.certPath,
      CENTRAL_TLS_KEY: files.keyPath,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => (await lines.next()).value as string;
  const port = Number(/:(\d+)$/.exec(await nextLine())?.[1]);
  expect((await servedCertificate(port, ca)).subjectAltName).not.toContain('192.0.2.7');

  // The PC got a new address: the relay issues itself a certificate that names it.
  await issue(['127.0.0.1', '192.0.2.7']);

  expect(await nextLine()).toContain('serving the renewed certificate');
  const served = await servedCertificate(port, ca);
  expect(served.subjectAltName).toContain('192.0.2.7');
  expect(served.fingerprint256).toBe(
    new X509Certificate(readFileSync(files.certPath)).fingerprint256,
  );
});
