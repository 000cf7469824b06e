import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docsReachedFrom, relinked } from './packageDocs.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE = join(REPO, 'packages', 'relay');
const README = join(PACKAGE, 'README.md');
const shipped = new Map([[join(REPO, 'docs', 'relay.md'), join(PACKAGE, 'docs', 'relay.md')]]);

describe('a packed README', () => {
  it('links the copies of the docs it ships, anchors kept', () => {
    expect(
      relinked('See [TLS](../../docs/relay.md#tls "TLS").', README, README, shipped, PACKAGE),
    ).toBe('See [TLS](docs/relay.md#tls "TLS").');
  });

  it('keeps a link whose text runs over two lines', () => {
    expect(
      relinked(
        '[docs/relay.md, *The\nexecutable*](../../docs/relay.md)',
        README,
        README,
        shipped,
        PACKAGE,
      ),
    ).toBe('[docs/relay.md, *The\nexecutable*](docs/relay.md)');
  });

  it('names in text what it cannot ship, and keeps its own files and URLs', () => {
    const markdown =
      '[guide](../../docs/django.md), ![Kiosk](../../docs/screenshots/kiosk.png), ' +
      '[bin](bin/kitchen-sync-relay.js), [npm](https://npmjs.com), [up](#installing)';
    expect(relinked(markdown, README, README, shipped, PACKAGE)).toBe(
      'guide (`docs/django.md` in the kitchen-sync repository), ' +
        'Kiosk (`docs/screenshots/kiosk.png` in the kitchen-sync repository), ' +
        '[bin](bin/kitchen-sync-relay.js), [npm](https://npmjs.com), [up](#installing)',
    );
  });

  it('leaves code alone', () => {
    const markdown = '`[a](../../docs/django.md)`\n```md\n[a](../../docs/django.md)\n```\n';
    expect(relinked(markdown, README, README, shipped, PACKAGE)).toBe(markdown);
  });
});

describe('the docs a README reaches', () => {
  it('are the markdown files its links lead to, and theirs in turn', () => {
    const reached = docsReachedFrom(README).map((file) => file.slice(REPO.length));
    expect(reached).toContain('docs/relay.md');
    expect(reached).toContain('docs/scaling.md'); // through relay.md
    expect(reached.every((file) => file.startsWith('docs/') && file.endsWith('.md'))).toBe(true);
  });
});
