export { assertHostName } from './hostName.js';
export { lanAddresses } from './lanAddresses.js';
export type { TlsMaterial } from './loadTlsFiles.js';
export { loadTlsFiles } from './loadTlsFiles.js';
export type {
  IssueReason,
  OutletCertificate,
  OutletCertificateOptions,
} from './outletCertificate.js';
export { ensureOutletCertificate, MAX_LEAF_DAYS } from './outletCertificate.js';
export type { TlsErrorCode, TlsErrorDetails } from './TlsError.js';
export { TlsError } from './TlsError.js';
