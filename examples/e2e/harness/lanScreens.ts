import type { Page } from 'playwright-core';

// Where the demo pages show why the socket is not connected: the status error's code.
const PROBLEM = '[data-testid="connection-error"]';

/** Waits until the page shows this connection problem code. */
export async function waitForConnectionProblem(
  page: Page,
  code: string,
  timeoutMs = 15_000,
): Promise<void> {
  await page.waitForFunction(
    ([selector, wanted]) => document.querySelector<HTMLElement>(selector)?.dataset.code === wanted,
    [PROBLEM, code] as const,
    { timeout: timeoutMs },
  );
}

/** The code the page shows now ('' for none). */
export async function connectionProblem(page: Page): Promise<string> {
  return page.evaluate(
    (selector) => document.querySelector<HTMLElement>(selector)?.dataset.code ?? '',
    PROBLEM,
  );
}
