import { describe, expect, it } from 'vitest';
import {
  loadOutletSettings,
  socketOptionsFromSettings,
} from '../../../src/settings/outletSettings.js';
import { fakeTimers } from '../socket/fakes.js';

/** A fetch that records what it was asked and answers 404, as a page's own origin does. */
function recordingFetch(asked: string[]): typeof fetch {
  return async (input) => {
    asked.push(String(input));
    return new Response('not found', { status: 404 });
  };
}

describe('outlet settings without a central backend', () => {
  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('with apiUrl %s, asks nothing and starts from the defaults', async (_, apiUrl) => {
    const asked: string[] = [];
    const settings = await loadOutletSettings({
      outletId: 1,
      ...(apiUrl === undefined ? {} : { apiUrl }),
      defaults: { relayUrl: 'http://192.168.1.10:3001', relayToken: 'jwt-lan' },
      storage: null,
      timers: fakeTimers,
      fetch: recordingFetch(asked),
    });
    expect(asked).toEqual([]);
    expect(settings).toMatchObject({ source: 'default', error: null, fetchedAt: null });
    expect(socketOptionsFromSettings(settings)).toEqual({
      outletId: 1,
      relayUrl: 'http://192.168.1.10:3001',
      token: 'jwt-lan',
    });
  });

  it('rejects with not_configured when there are no defaults either', async () => {
    const asked: string[] = [];
    await expect(
      loadOutletSettings({ outletId: 1, storage: null, fetch: recordingFetch(asked) }),
    ).rejects.toMatchObject({ code: 'not_configured' });
    expect(asked).toEqual([]);
  });

  it("asks the page's own origin when apiUrl is '/'", async () => {
    const asked: string[] = [];
    const settings = await loadOutletSettings({
      outletId: 1,
      apiUrl: '/',
      defaults: {},
      storage: null,
      timers: fakeTimers,
      fetch: recordingFetch(asked),
    });
    expect(asked).toEqual(['/api/tenants/outlets/1/']);
    expect(settings).toMatchObject({ source: 'default', error: { code: 'http' } });
  });
});
