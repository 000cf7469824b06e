import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SocketErrorCode } from '../../../src/errors.js';

// Every code of the union, and nothing else: the object literal stops compiling otherwise.
const SOCKET_ERROR_CODES = Object.keys({
  relay_insecure_url: true,
  local_network_denied: true,
  local_network_prompt: true,
  relay_unreachable: true,
  relay_untrusted: true,
  relay_https_only: true,
  relay_token_missing: true,
  invalid_payload: true,
  unauthorized: true,
  forbidden: true,
  not_found: true,
  invalid_transition: true,
  rate_limited: true,
  too_large: true,
  request_timeout: true,
  storage_full: true,
  internal: true,
  unavailable: true,
  order_conflict: true,
  network: true,
  timeout: true,
  http: true,
  malformed_response: true,
  storage: true,
  not_configured: true,
} satisfies Record<SocketErrorCode, true>);

/** The codes named in the first cell of each row of the deployment guide's troubleshooting table. */
function troubleshootingCodes(): string[] {
  const guide = readFileSync(new URL('../../../../../docs/deployment.md', import.meta.url), 'utf8');
  const section = guide.split('## Troubleshooting by status code')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!));
}

describe("the deployment guide's troubleshooting table", () => {
  it('has a row for every code status.error can hold, and only those', () => {
    expect(troubleshootingCodes().sort()).toEqual([...SOCKET_ERROR_CODES].sort());
  });
});
