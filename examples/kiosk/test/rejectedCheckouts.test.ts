import type { RejectedOrder } from '@kitchen-sync/client/sw-manager';
import { expect, test } from 'vitest';
import { checkoutLabel, rejectionText } from '../src/rejectedCheckouts';

function rejected(fields: Partial<RejectedOrder>): RejectedOrder {
  return {
    id: 7,
    idempotencyKey: 'group-1',
    orderId: null,
    url: 'https://central.test/api/public/order-groups/',
    queuedAt: Date.UTC(2026, 11, 5, 7, 0),
    body: JSON.stringify({
      customer_name: 'Budi',
      orders: [
        { display_number: '12', tenant_name: 'Bakso Pak Kumis' },
        { display_number: '12', tenant_name: 'Es Teh Manis' },
      ],
    }),
    reason: 'expired',
    status: 0,
    response: null,
    rejectedAt: Date.UTC(2026, 11, 6, 8, 0),
    ...fields,
  };
}

test('names the checkout by queue number, customer and tenants; by its key when the body says nothing', () => {
  expect(checkoutLabel(rejected({}))).toBe('Antrean 12 · Budi · Bakso Pak Kumis, Es Teh Manis');
  expect(checkoutLabel(rejected({ body: 'not json' }))).toBe('group-1');
  expect(checkoutLabel(rejected({ body: null }))).toBe('group-1');
});

test('says why central does not have it: past the queue limit (with the last answer) or refused', () => {
  expect(rejectionText(rejected({}))).toMatch(
    /^Belum terkirim ke pusat sejak .+ \(lewat batas antrean\)$/,
  );
  expect(rejectionText(rejected({ status: 503 }))).toMatch(/jawaban terakhir HTTP 503\)$/);
  expect(rejectionText(rejected({ reason: 'rejected', status: 422 }))).toMatch(
    /^Ditolak pusat \(HTTP 422\), dipesan /,
  );
});
