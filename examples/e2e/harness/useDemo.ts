import { join } from 'node:path';
import { afterEach, beforeEach, inject } from 'vitest';
import { Demo } from './demo';
import { RESULTS_DIR, screenshot } from './screens';

/** A fresh demo per test; on failure every open screen is saved under e2e/test-results/. */
export function useDemo(relayArgs?: () => string[]): () => Demo {
  let demo: Demo | undefined;
  beforeEach(async () => {
    demo = new Demo(inject('pagesDir'), relayArgs?.());
    await demo.start();
  });
  afterEach(async (context) => {
    if (!demo) return;
    if (context.task.result?.state === 'fail') {
      const dir = join(RESULTS_DIR, context.task.name.replace(/[^\w-]+/g, '-').slice(0, 80));
      await Promise.all(
        demo.pages.map((page, i) => screenshot(page, dir, `screen-${i}`).catch(() => '')),
      );
    }
    await demo.stop();
    demo = undefined;
  });
  return () => {
    if (!demo) throw new Error('useDemo() is only available inside a test');
    return demo;
  };
}
