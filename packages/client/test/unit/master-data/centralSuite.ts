import { afterAll, afterEach, beforeAll } from 'vitest';
import { centralServer } from './fakeCentral.js';
import { type Terminal, terminal } from './setup.js';

/**
 * One test file's msw server for the fake central (an unexpected request fails the test), and a
 * `terminal` factory whose terminals are all closed after each test, so no service outlives it.
 */
export function centralSuite() {
  const msw = centralServer();
  const opened: Terminal[] = [];
  beforeAll(() => msw.server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => msw.server.close());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((kiosk) => kiosk.close()));
    msw.server.resetHandlers();
  });
  return {
    msw,
    terminal(...args: Parameters<typeof terminal>): Terminal {
      const kiosk = terminal(...args);
      opened.push(kiosk);
      return kiosk;
    },
  };
}
