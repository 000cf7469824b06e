import { describe, expect, it } from 'vitest';
import { createServiceWorkerManager } from '../../../src/sw-manager/manager.js';

describe('ServiceWorkerManager where there is no service worker', () => {
  it('a plain-http LAN page: unsupported because the page is not a secure context', async () => {
    const sw = createServiceWorkerManager({ navigator: {} as Navigator, isSecureContext: false });
    expect(sw.status.get()).toMatchObject({
      supported: false,
      unsupportedReason: 'insecure_context',
    });
    // Registering is a quiet no-op: the page goes on without a worker.
    await expect(sw.register()).resolves.toBe(false);
    expect(sw.status.get()).toMatchObject({ registered: false, error: null });
  });

  it('a secure page in a browser without workers: unsupported, not_in_browser', () => {
    const sw = createServiceWorkerManager({ navigator: {} as Navigator, isSecureContext: true });
    expect(sw.status.get()).toMatchObject({
      supported: false,
      unsupportedReason: 'not_in_browser',
    });
  });

  it('a browser with workers: supported, no reason', () => {
    const navigator = { serviceWorker: new EventTarget() } as unknown as Navigator;
    const sw = createServiceWorkerManager({ navigator, isSecureContext: true });
    expect(sw.status.get()).toMatchObject({ supported: true, unsupportedReason: null });
  });
});
