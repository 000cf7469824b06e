import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../../src/sw/classify.js';

describe('classifyResponse', () => {
  it.each([
    [null, 'retry'],
    [0, 'retry'],
    [200, 'delivered'],
    [201, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [302, 'delivered'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    // The address (an http:// one for an HTTPS-only server) or the headers are wrong, not the order.
    [426, 'retry'],
    [431, 'retry'],
    [400, 'rejected'],
    [401, 'rejected'],
    [403, 'rejected'],
    [404, 'rejected'],
    [409, 'rejected'],
    [413, 'rejected'],
    [422, 'rejected'],
  ] as const)('%s → %s', (status, outcome) => {
    expect(classifyResponse(status)).toBe(outcome);
  });
});
