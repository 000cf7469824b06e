import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const guide = read('../../../docs/relay.md');
const readme = read('../README.md');

describe('what an operator must find in the docs', () => {
  it.each([
    ['docs/relay.md', guide],
    ['the package README', readme],
  ])('%s says installing may compile better-sqlite3, and what that needs per OS', (_name, text) => {
    expect(text).toMatch(/compil\w* .*from source/i);
    expect(text).toMatch(/python3? make g\+\+/);
    expect(text).toMatch(/xcode-select --install/);
    expect(text).toMatch(/Visual Studio Build Tools/);
  });

  it('docs/relay.md says how to recover a damaged log and back up a running relay', () => {
    expect(guide).toMatch(/^## Recovering a damaged log$/m);
    expect(guide).toContain('store_corrupt');
    expect(guide).toContain('data_dir_locked');
    expect(guide).toContain('.backup');
    expect(guide).toContain('VACUUM INTO');
  });
});
