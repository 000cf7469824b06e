import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { io, type Socket } from 'socket.io-client';
import { onTestFinished } from 'vitest';
import { ensureOutletCertificate, type OutletCertificateOptions } from '../src/index.js';
import { CLOCK_FLOOR } from '../src/tls/clock.js';
import { TlsError } from '../src/tls/index.js';
import { createCertificateAuthority, issueServerCertificate } from '../src/tls/lib/issuer.js';
import {
  createTlsController,
  type TlsController,
  type TlsControllerOptions,
} from '../src/transport/tlsServer.js';
import { tempDir } from './helpers.js';

/** A TLS controller and the server it serves on, both closed when the test finishes. */
export function controllerOnServer(options: TlsControllerOptions): {
  controller: TlsController;
  server: Server;
} {
  const controller = createTlsController(options);
  const server = createServer();
  onTestFinished(() => {
    controller.close();
    server.close();
  });
  return { controller, server };
}

/** A fixed "now" for certificate tests that a relay believes: half a year after its clock floor. */
export const PLAUSIBLE_NOW = new Date(CLOCK_FLOOR.getTime() + 182.5 * 86_400_000);

export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  fingerprint256: string;
}

export interface TestCa {
  caDir: string;
  caFile: string;
  caPem: string;
  /** A new server certificate for 127.0.0.1 and localhost, signed by this CA, in its own dir. */
  issue(options?: Partial<OutletCertificateOptions>): Promise<CertPair>;
}

/** An outlet CA in a temp dir (removed by removeTempDirs), created at `now`, which may be long ago. */
export async function testCa(now = new Date()): Promise<TestCa> {
  const caDir = tempDir('ks-ca-');
  const issue = async (options: Partial<OutletCertificateOptions> = {}): Promise<CertPair> => {
    const issued = await ensureOutletCertificate({
      dir: tempDir('ks-leaf-'),
      caDir,
      names: ['localhost'],
      addresses: ['127.0.0.1'],
      // Tests make certificates dated in the past, before this release's clock floor.
      clockFloor: new Date(0),
      ...options,
    });
    return {
      certFile: issued.certPath,
      keyFile: issued.keyPath,
      cert: issued.material.cert,
      key: issued.material.key,
      fingerprint256: issued.material.fingerprint256,
    };
  };
  await issue({ now });
  const caFile = join(caDir, 'ca.crt');
  return { caDir, caFile, caPem: readFileSync(caFile, 'utf8'), issue };
}

/**
 * A CA named `commonName` (a company's), whose server certificates may carry any names,
 * wildcards included (the relay's own issuance refuses those). Files in temp dirs.
 */
export async function companyCa(commonName: string) {
  const now = new Date();
  const ca = await createCertificateAuthority({ commonName, now, days: 365 });
  const caDir = tempDir('ks-company-ca-');
  const caFile = join(caDir, 'ca.crt');
  writeFileSync(caFile, ca.certPem);
  return {
    caFile,
    caPem: ca.certPem,
    async issue(names: string[], addresses: string[]) {
      const leaf = await issueServerCertificate({
        ca,
        commonName: names[0] ?? 'relay',
        names,
        addresses,
        now,
        days: 90,
      });
      const dir = tempDir('ks-company-leaf-');
      const certFile = join(dir, 'relay.crt');
      const keyFile = join(dir, 'relay.key');
      writeFileSync(certFile, leaf.certPem);
      writeFileSync(keyFile, leaf.keyPem);
      return { certFile, keyFile };
    },
  };
}

/** Replaces a file the way renewal tools do: write beside it, then rename over it. */
export function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

/** The SHA-256 fingerprint of the certificate a fresh TLS handshake gets (verified against ca). */
/** The TLS 1.3 suite the server agrees on when a client offers `ciphers` in that order. */
export function agreedCipher(port: number, ca: string, ciphers: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, ca, servername: 'localhost', ciphers },
      () => {
        const { standardName } = socket.getCipher();
        socket.end();
        resolve(standardName);
      },
    );
    socket.on('error', reject);
  });
}

export function peerFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect JSON answers field by field
  json(): any;
}

/** GET over HTTPS trusting only `ca` (Node's fetch cannot take a CA per request). */
export function httpsGet(
  url: string,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
  servername = 'localhost',
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    // servername: Node would otherwise take the SNI name from a Host header under test.
    const options = { ca, headers, servername };
    const request = httpsRequest(`${url}${path}`, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          text,
          json: () => JSON.parse(text),
        });
      });
    });
    request.on('error', reject);
    request.end();
  });
}

const sockets = new Set<Socket>();

/** A socket.io client over WSS that trusts `ca`; resolves once connected. */
export function wssClient(url: string, ca: string, auth: Record<string, unknown>): Promise<Socket> {
  const socket = io(url, {
    ca,
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  sockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export function closeWssClients(): void {
  for (const socket of sockets) socket.disconnect();
  sockets.clear();
}

/** The code of the TlsError `run` rejects with; anything else fails the test. */
export async function tlsFailure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof TlsError) return error.code;
    throw error;
  }
  throw new Error('expected a TlsError');
}
