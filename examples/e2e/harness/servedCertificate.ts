import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';

/**
 * The SHA-256 fingerprint of the certificate a TLS server presents for `serverName`,
 * verified against `caCertPath` (a certificate the CA did not sign fails the handshake).
 */
export function servedCertificate(
  ip: string,
  port: number,
  serverName: string,
  caCertPath: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: ip, port, servername: serverName, ca: readFileSync(caCertPath) },
      () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        socket.end();
        resolve(fingerprint);
      },
    );
    socket.once('error', reject);
  });
}
