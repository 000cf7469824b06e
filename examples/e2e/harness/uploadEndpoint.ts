export {
  startUploadEndpoint,
  type UploadEndpoint,
} from '../../../test-support/uploadEndpoint.js';

/** A relay credential as central issues it; the relay reads its claims, central the signature. */
export function relayCredential(outlet: number): string {
  return [
    { alg: 'HS256', typ: 'JWT' },
    { sub: `relay-${outlet}`, role: 'relay', outlet },
  ]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .concat('signature')
    .join('.');
}
