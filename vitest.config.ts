import { defineConfig } from 'vitest/config';

// One run for the whole tree; each package/example owns its own project config.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/*/vitest.*.config.ts',
      'examples/vitest.config.ts',
      'examples/vitest.unit.config.ts',
      'integrations/django/js-tests/vitest.config.ts',
      'test/packaging/vitest.config.ts',
      'scripts/vitest.config.mjs',
    ],
  },
});
