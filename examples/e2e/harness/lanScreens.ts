import type { Page } from 'playwright-core';

// The demo pages keep the socket status error's code in a hidden hook beside the badge.
const PROBLEM = '[data-testid="connection-error"]';

/** Waits until the page shows this connection problem code. */
export async function waitForConnectionProblem(
  page: Page,
  code: string,
  timeoutMs = 15_000,
): Promise<void> {
  await page.waitForFunction(
    ([selector, wanted]) => document.querySelector(selector)?.textContent?.trim() === wanted,
    [PROBLEM, code] as const,
    { timeout: timeoutMs },
  );
}

/** The code the page shows now ('' for none). */
export async function connectionProblem(page: Page): Promise<string> {
  return page.evaluate(
    (selector) => document.querySelector(selector)?.textContent?.trim() ?? '',
    PROBLEM,
  );
}
