import type { SocketStatus } from '@kitchen-sync/client';
import { KitchenSyncError } from '@kitchen-sync/protocol';
import { expect, test } from 'vitest';
import { connectionLabel } from '../indicators';

const status = (mode: SocketStatus['mode'], code?: string) => ({
  mode,
  error: code ? (new KitchenSyncError(code as never, code) as SocketStatus['error']) : null,
});

test('a relay that refuses the token is named as a refusal, not as "not reachable"', () => {
  expect(connectionLabel(status('central_only', 'unauthorized'))).toBe('Relay refused this tablet');
  expect(connectionLabel(status('disconnected', 'relay_token_missing'))).toBe(
    'Relay refused this tablet',
  );
  expect(connectionLabel(status('central_only', 'relay_unreachable'))).toBe('Relay not reachable');
  expect(connectionLabel(status('disconnected'))).toBe('Not connected');
  expect(connectionLabel(status('connected'))).toBe('Live');
});
