import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../vitest.shared';

// The example pages' own logic, in Node: no pages to build, no browser.
export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'examples-unit',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: [
      'central/test/**/*.test.ts',
      'kiosk/test/**/*.test.ts',
      'kitchen/test/**/*.test.ts',
      'pickup/test/**/*.test.ts',
      'shared/test/**/*.test.ts',
    ],
    environment: 'node',
    restoreMocks: true,
  },
});
