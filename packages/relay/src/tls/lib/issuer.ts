// tsyringe, under @peculiar/x509, needs the Reflect metadata API before it loads; this module is
// imported lazily, so only a relay that issues certificates pays for it.
import 'reflect-metadata/lite';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { BACKDATE_MS } from '../clock.js';
import { TlsError } from '../TlsError.js';

/** Node's WebCrypto, typed as the DOM one the library expects (they are the same API). */
const crypto = webcrypto as unknown as Crypto;

const DAY_MS = 86_400_000;

const P256_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const P256_SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export interface IssuedPem {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthorityParams {
  commonName: string;
  now: Date;
  days: number;
}

/** A self-signed root that may sign end-entity certificates only (path length 0). */
export async function createCertificateAuthority(
  params: CertificateAuthorityParams,
): Promise<IssuedPem> {
  const keys = await crypto.subtle.generateKey(P256_KEY, true, ['sign', 'verify']);
  const notBefore = new Date(params.now.getTime() - BACKDATE_MS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [params.commonName] }, { O: ['kitchen-sync'] }],
      notBefore,
      notAfter: new Date(notBefore.getTime() + params.days * DAY_MS),
      signingAlgorithm: P256_SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: certificate.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

export interface ServerCertificateParams {
  ca: IssuedPem;
  commonName: string;
  names: string[];
  addresses: string[];
  now: Date;
  days: number;
}

/**
 * The relay's server certificate, shaped for what Chrome, Safari/iOS, Android and Windows require
 * of a certificate under a private root: names only in the SAN (CN is ignored), EKU serverAuth,
 * validity within 397 days, SHA-256 signature, ECDSA P-256 key.
 */
export async function issueServerCertificate(params: ServerCertificateParams): Promise<IssuedPem> {
  const caCertificate = new x509.X509Certificate(params.ca.certPem);
  const signer = await importSigningKey(params.ca.keyPem);
  const keys = await crypto.subtle.generateKey(P256_KEY, true, ['sign', 'verify']);
  const notBefore = new Date(params.now.getTime() - BACKDATE_MS);
  // Counted from notBefore, so the backdate stays within the 397 days browsers allow. RFC 5280
  // counts both ends of the validity period, so stop one second short of the full days.
  // Never past the CA's own end: devices refuse the leaf once its CA has expired anyway, and a
  // later date would hide that from every expiry check that looks at the leaf.
  const notAfter = new Date(
    Math.min(notBefore.getTime() + params.days * DAY_MS - 1000, caCertificate.notAfter.getTime()),
  );
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: [{ CN: [params.commonName] }],
      // The CA's own encoded name, so chain building matches it byte for byte.
      issuer: caCertificate.subjectName,
      notBefore,
      notAfter,
      signingAlgorithm: signer.algorithm,
      publicKey: keys.publicKey,
      signingKey: signer.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(
          [
            ...params.names.map((value) => ({ type: 'dns' as const, value })),
            ...params.addresses.map((value) => ({ type: 'ip' as const, value })),
          ],
          false,
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caCertificate.publicKey, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: certificate.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** 16 random bytes, first one 0x01–0x7f: positive, never shortened by DER, well under 20 octets. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f || 0x01;
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

const CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

/** The CA key as a WebCrypto signing key: ours is P-256, a company's own may be another curve or RSA. */
async function importSigningKey(
  pem: string,
): Promise<{ key: CryptoKey; algorithm: EcdsaParams | Algorithm }> {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve) {
      const key = await crypto.subtle.importKey(
        'pkcs8',
        der,
        { name: 'ECDSA', namedCurve: curve.namedCurve },
        false,
        ['sign'],
      );
      return { key, algorithm: { name: 'ECDSA', hash: curve.hash } };
    }
  }
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await crypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { key, algorithm };
  }
  throw new TlsError(
    'tls_key_invalid',
    `the CA key type ${keyObject.asymmetricKeyType} is not supported (use ECDSA P-256/P-384/P-521 or RSA)`,
  );
}
