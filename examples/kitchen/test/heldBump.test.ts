import type { TicketLine } from '@kitchen-sync/client/feed-views';
import { expect, test } from 'vitest';
import { heldBumpReason } from '../src/heldBump';

const line = (fields: Partial<TicketLine>): TicketLine => ({
  line_id: 'o:0',
  product_id: 1,
  name: 'Sate ayam',
  quantity: 1,
  modifiers: [],
  notes: null,
  station: 'grill',
  course: 1,
  status: 'ready',
  held: false,
  version: 2,
  fire_at: null,
  status_at: '2026-12-06T10:00:00Z',
  ...fields,
});

// Table 7: the satay is bumped, two nasi goreng wait held for course 2.
const satay = line({});
const heldNasi = line({ line_id: 'o:1', name: 'Nasi goreng', station: 'wok', course: 2 });
const nasi = { ...heldNasi, status: 'held' as const, held: true };

test('expo is not offered ready or handed out while a course is held, and is told why', () => {
  const reason = 'Course 2 masih DITAHAN: tunggu fire dari kasir, atau batalkan pesanan';
  expect(heldBumpReason([satay, nasi], 'ready')).toBe(reason);
  expect(heldBumpReason([satay, nasi], 'completed')).toBe(reason);
  expect(heldBumpReason([satay, { ...nasi, course: null }], 'ready')).toBe(
    'Course masih DITAHAN: tunggu fire dari kasir, atau batalkan pesanan',
  );
});

test('starting the ticket, or any step once the course is fired, is offered', () => {
  expect(heldBumpReason([satay, nasi], 'preparing')).toBeNull();
  expect(heldBumpReason([satay, { ...nasi, status: 'pending', held: false }], 'ready')).toBeNull();
});
