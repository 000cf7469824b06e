import {
  createServiceWorkerManager,
  type ServiceWorkerManager,
} from '@kitchen-sync/client/sw-manager';

/**
 * Registers `sw.js` from the page's own directory. A page's very first load happens before any worker exists, so neither
 * the page nor its assets are in the worker's caches yet: a reload then, with the internet
 * gone, would show the browser's offline page. So the first time the worker takes control,
 * the page reloads once, through it. `body[data-sw="controlled"]` marks a page that is
 * served by the worker (a hook for tests and scripts).
 */
export function registerWorker(): { sw: ServiceWorkerManager; ready: Promise<boolean> } {
  // Beside the page, not at the origin's root: served by the relay under /kiosk/, the worker
  // is /kiosk/sw.js and its scope /kiosk/, apart from the kitchen's.
  const sw = createServiceWorkerManager({ url: new URL('sw.js', location.href).pathname });
  const container = navigator.serviceWorker;
  if (container?.controller) {
    document.body.dataset.sw = 'controlled';
  } else {
    container?.addEventListener('controllerchange', () => location.reload(), { once: true });
  }
  return { sw, ready: sw.register() };
}
