import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  type ErrorCode,
  HTTP_STATUS_BY_CODE,
  isErrorCode,
  KitchenSyncError,
} from '../src/index.js';

describe('HTTP_STATUS_BY_CODE', () => {
  it('maps exactly the protocol error codes', () => {
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each<[ErrorCode, number]>([
    ['invalid_payload', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['invalid_transition', 409],
    ['too_large', 413],
    ['request_timeout', 408],
    ['rate_limited', 429],
    ['internal', 500],
    ['storage_full', 507],
    ['https_required', 426],
    ['order_conflict', 422],
  ])('%s → %i', (code, status) => {
    expect(HTTP_STATUS_BY_CODE[code]).toBe(status);
  });

  it('gives every code an error status of its own', () => {
    const statuses = Object.values(HTTP_STATUS_BY_CODE);
    expect(new Set(statuses).size).toBe(statuses.length);
    for (const status of statuses) expect(status).toBeGreaterThanOrEqual(400);
  });
});

describe('isErrorCode', () => {
  it.each(ERROR_CODES)('knows %s', (code) => {
    expect(isErrorCode(code)).toBe(true);
  });

  it.each<unknown>(['bad_request', 'INTERNAL', '', 400, null, undefined, {}])(
    'refuses %j',
    (value) => {
      expect(isErrorCode(value)).toBe(false);
    },
  );
});

describe('KitchenSyncError', () => {
  it('is an Error with a stable code and details', () => {
    const error = new KitchenSyncError('not_found', 'no such order', { order_id: 'x' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KitchenSyncError');
    expect(error.code).toBe('not_found');
    expect(error.details).toEqual({ order_id: 'x' });
  });

  it('toBody gives code and message', () => {
    const body = new KitchenSyncError('forbidden', 'tenant 4 is not yours').toBody();
    expect(body).toEqual({ code: 'forbidden', message: 'tenant 4 is not yours' });
    expect(Object.keys(body)).toEqual(['code', 'message']);
  });

  it('toBody carries validation issues from details', () => {
    const issues = [{ path: 'items.0.quantity', message: 'must be at least 1' }];
    const body = new KitchenSyncError('invalid_payload', 'bad order', { issues }).toBody();
    expect(body.code).toBe('invalid_payload');
    expect(body.issues).toEqual(issues);
  });

  it('toBody leaves out details other than issues', () => {
    const body = new KitchenSyncError('internal', 'boom', { stack: 'secret' }).toBody();
    expect(body).toEqual({ code: 'internal', message: 'boom' });
  });

  it.each(['timeout', 'network', 'quota_exceeded'])(
    'toBody reports a non-protocol code %s as internal on the wire',
    (code) => {
      const error = new KitchenSyncError(code, 'client-side failure');
      expect(error.code).toBe(code);
      expect(error.toBody().code).toBe('internal');
    },
  );

  it.each(ERROR_CODES)('toBody keeps protocol code %s', (code) => {
    expect(new KitchenSyncError(code, 'm').toBody().code).toBe(code);
  });
});
