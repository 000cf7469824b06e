import { join } from 'node:path';
import { ensureOutletCertificate } from '@kitchen-sync/relay';
import { OUTLET_IP } from './trustedBrowser';

/** Host names of the simulated outlet LAN and of the "cloud"; none of them is localhost. */
export const RELAY_HOST = 'relay.outlet.lan';
export const KIOSK_HOST = 'kiosk.cloud.test';
export const KITCHEN_HOST = 'kitchen.cloud.test';
export const CENTRAL_HOST = 'central.cloud.test';

export const lanHosts = {
  cloudHosts: [KIOSK_HOST, KITCHEN_HOST, CENTRAL_HOST],
  outletHosts: [RELAY_HOST],
};

export interface CertificateFiles {
  caCertPath: string;
  certPath: string;
  keyPath: string;
}

export interface LanCertificates {
  /** The outlet CA (what `kitchen-sync-relay cert` makes) and the relay's certificate. */
  outlet: CertificateFiles;
  /** A stand-in for a public CA and the cloud's certificate for every cloud host name. */
  cloud: CertificateFiles;
  /** A certificate for the relay's name from a CA no browser trusts. */
  rogue: CertificateFiles;
  readonly outletDir: string;
}

/**
 * The relay's own certificate code issues all three: the cloud's CA is just another private
 * CA that the test browser trusts, which is all a public CA is to a browser.
 */
export async function makeLanCertificates(dir: string): Promise<LanCertificates> {
  const outletDir = join(dir, 'outlet');
  const issue = async (where: string, names: string[], addresses: string[]) => {
    const { caCertPath, certPath, keyPath } = await ensureOutletCertificate({
      dir: where,
      names,
      addresses,
    });
    return { caCertPath, certPath, keyPath };
  };
  return {
    outlet: await issue(outletDir, [RELAY_HOST], [OUTLET_IP]),
    cloud: await issue(join(dir, 'cloud'), lanHosts.cloudHosts, []),
    rogue: await issue(join(dir, 'rogue'), [RELAY_HOST], [OUTLET_IP]),
    outletDir,
  };
}

/**
 * A new relay certificate from the same outlet CA, into the same files: the machine got one
 * more address, which is one of the reasons the relay re-issues.
 */
export async function reissueOutletCertificate(
  certs: LanCertificates,
  extraAddress: string,
): Promise<void> {
  await ensureOutletCertificate({
    dir: certs.outletDir,
    names: [RELAY_HOST],
    addresses: [OUTLET_IP, extraAddress],
  });
}
