import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelay } from '../src/index.js';
import { cacheControl, parseAppSpec } from '../src/transport/appRoutes.js';
import { http, removeTempDirs, startRelay, type TestRelay, tempDir } from './helpers.js';

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
  removeTempDirs();
});

/** A built PWA as Vite leaves it, plus a secret beside it that must never be served. */
function builtApp(name: string): string {
  const root = tempDir('ks-app-');
  const dir = join(root, name);
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>${name}</title>`);
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"kiosk"}');
  writeFileSync(join(dir, 'assets', 'index-B3x9kQ1a.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-C7a2bN0z.css'), 'body{}');
  writeFileSync(join(dir, 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(root, 'secret.txt'), 'the secret');
  symlinkSync(join(root, 'secret.txt'), join(dir, 'escape.txt'));
  return dir;
}

/** A GET whose path goes on the wire exactly as written (fetch would normalise `..`). */
function rawGet(
  url: string,
  path: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function relayWithApps(apps: Array<{ prefix: string; dir: string }>) {
  const relay = await startRelay({ apps });
  relays.push(relay);
  return relay;
}

describe('--app serving', () => {
  it('serves files with their MIME types and cache rules', async () => {
    const kiosk = builtApp('kiosk');
    const relay = await relayWithApps([{ prefix: '/kiosk/', dir: kiosk }]);
    const index = await http(relay.url, '/kiosk/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>kiosk</title>');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');

    const js = await http(relay.url, '/kiosk/assets/index-B3x9kQ1a.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await http(relay.url, '/kiosk/assets/index-C7a2bN0z.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const sw = await http(relay.url, '/kiosk/sw.js');
    expect(sw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sw.headers['cache-control']).toBe('no-cache');
    const manifest = await http(relay.url, '/kiosk/manifest.webmanifest');
    expect(manifest.headers['content-type']).toBe('application/manifest+json; charset=utf-8');
    expect((await http(relay.url, '/kiosk/icon.png')).headers['content-type']).toBe('image/png');

    const again = await http(relay.url, '/kiosk/sw.js', {
      headers: { 'if-none-match': sw.headers.etag! },
    });
    expect(again.status).toBe(304);
  });

  it('answers client-side routes with index.html but a missing asset with 404', async () => {
    const relay = await relayWithApps([{ prefix: '/kitchen/', dir: builtApp('kitchen') }]);
    const route = await http(relay.url, '/kitchen/orders/42');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>kitchen</title>');
    expect(route.headers['cache-control']).toBe('no-cache');
    const missing = await http(relay.url, '/kitchen/assets/gone-D1a2b3c4.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
    const bare = await rawGet(relay.url, '/kitchen');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/kitchen/');
  });

  it('serves the pages a static build prerendered (SvelteKit adapter-static) instead of the shell', async () => {
    const app = builtApp('site');
    mkdirSync(join(app, 'kitchen'));
    writeFileSync(join(app, 'kitchen', 'index.html'), '<title>kitchen page</title>');
    writeFileSync(join(app, 'pos.html'), '<title>pos page</title>');
    const relay = await relayWithApps([{ prefix: '/', dir: app }]);

    const kitchen = await http(relay.url, '/kitchen/');
    expect(kitchen.status).toBe(200);
    expect(kitchen.body).toContain('<title>kitchen page</title>');
    expect(kitchen.headers['cache-control']).toBe('no-cache');
    // Its relative asset paths (../_app/…) resolve only from /kitchen/: the query is kept.
    const bare = await rawGet(relay.url, '/kitchen?station=grill');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/kitchen/?station=grill');

    const pos = await http(relay.url, '/pos');
    expect(pos.status).toBe(200);
    expect(pos.body).toContain('<title>pos page</title>');
    // A route nothing prerendered still gets the app shell.
    expect((await http(relay.url, '/orders/42')).body).toContain('<title>site</title>');
    expect((await http(relay.url, '/kitchen/ticket/7')).body).toContain('<title>site</title>');
  });

  it('never serves a file outside the app directory', async () => {
    const relay = await relayWithApps([{ prefix: '/kiosk/', dir: builtApp('kiosk') }]);
    for (const path of [
      '/kiosk/../secret.txt',
      '/kiosk/%2e%2e/secret.txt',
      '/kiosk/..%2fsecret.txt',
      '/kiosk/%2e%2e%2fsecret.txt',
      '/kiosk/..%5csecret.txt',
      '/kiosk/assets/../../secret.txt',
      '/kiosk/escape.txt',
      '/kiosk/%00/../secret.txt',
      '/kiosk/%E0%A4%A',
    ]) {
      const answer = await rawGet(relay.url, path);
      expect(answer.body, path).not.toContain('the secret');
      expect([400, 404], path).toContain(answer.status);
    }
  });

  it('answers dotfiles and dot folders with 404, as a missing file, but serves /.well-known/', async () => {
    const kiosk = builtApp('kiosk');
    writeFileSync(join(kiosk, '.env'), 'VITE_TOKEN=the secret');
    mkdirSync(join(kiosk, '.git'));
    writeFileSync(join(kiosk, '.git', 'config'), 'url = https://user:the secret@git.example');
    mkdirSync(join(kiosk, 'assets', '.cache'));
    writeFileSync(join(kiosk, 'assets', '.cache', 'x.js'), 'the secret');
    mkdirSync(join(kiosk, '.well-known'));
    writeFileSync(join(kiosk, '.well-known', 'security.txt'), 'Contact: it@outlet.example');
    writeFileSync(join(kiosk, '.well-known', '.hidden'), 'the secret');
    const relay = await relayWithApps([
      { prefix: '/kiosk/', dir: kiosk },
      { prefix: '/', dir: kiosk },
    ]);
    for (const path of [
      '/kiosk/.env',
      '/kiosk/%2eenv',
      '/kiosk/.git/config',
      '/kiosk/.git',
      '/kiosk/.git/',
      '/kiosk/assets/.cache/x.js',
      '/kiosk/.well-known/.hidden',
      '/.env',
      '/.git/config',
    ]) {
      const answer = await rawGet(relay.url, path);
      expect(answer.body, path).not.toContain('the secret');
      expect(answer.body, path).not.toContain('<title>');
      expect([answer.status, JSON.parse(answer.body).error.code], path).toEqual([404, 'not_found']);
    }
    for (const path of ['/kiosk/.well-known/security.txt', '/.well-known/security.txt']) {
      const answer = await rawGet(relay.url, path);
      expect([answer.status, answer.body], path).toEqual([200, 'Contact: it@outlet.example']);
    }
  });

  it('keeps the relay routes when an app is mounted at /', async () => {
    const relay = await relayWithApps([
      { prefix: '/', dir: builtApp('home') },
      { prefix: 'kiosk', dir: builtApp('kiosk') },
    ]);
    expect((await http(relay.url, '/')).body).toContain('<title>home</title>');
    expect((await http(relay.url, '/kiosk/')).body).toContain('<title>kiosk</title>');
    expect((await http(relay.url, '/health')).body).toMatchObject({ status: 'ok' });
    expect((await http(relay.url, '/api/events')).status).toBe(401);
    expect((await http(relay.url, '/api/nothing')).body).toMatchObject({
      error: { code: 'not_found' },
    });
    expect((await http(relay.url, '/setup')).body).toContain('Set up a device');
    const polling = await http(relay.url, '/socket.io/?EIO=4&transport=polling');
    // engine.io's open packet, not index.html
    expect(String(polling.body)).toMatch(/^0\{"sid":/);
  });

  it('does not rate-limit app files: a first load fetches many at once', async () => {
    const relay = await startRelay({
      rateLimit: 1,
      apps: [{ prefix: '/kiosk/', dir: builtApp('kiosk') }],
    });
    relays.push(relay);
    const paths = ['/kiosk/', '/kiosk/sw.js', '/kiosk/icon.png', '/kiosk/assets/index-B3x9kQ1a.js'];
    const answers = await Promise.all(paths.map((path) => http(relay.url, path)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // The API stays limited.
    const api = await Promise.all([1, 2, 3].map(() => http(relay.url, '/api/events')));
    expect(api.map((a) => a.status)).toContain(429);
  });

  it('refuses bad mounts at start with a code', () => {
    const make = (apps: Array<{ prefix: string; dir: string }>) => () =>
      createRelay({ insecureNoAuth: true, store: 'memory', logLevel: 'silent', apps });
    const dir = builtApp('kiosk');
    expect(make([{ prefix: '/kiosk/', dir: join(dir, 'nope') }])).toThrow(
      expect.objectContaining({ code: 'app_dir_missing' }),
    );
    expect(make([{ prefix: '/kiosk/', dir: join(dir, 'index.html') }])).toThrow(
      expect.objectContaining({ code: 'app_dir_missing' }),
    );
    expect(make([{ prefix: '/api/', dir }])).toThrow(
      expect.objectContaining({ code: 'app_prefix_reserved' }),
    );
    expect(make([{ prefix: '/a b/', dir }])).toThrow(
      expect.objectContaining({ code: 'app_prefix_invalid' }),
    );
    expect(
      make([
        { prefix: 'kiosk', dir },
        { prefix: '/kiosk/', dir },
      ]),
    ).toThrow(expect.objectContaining({ code: 'app_prefix_duplicate' }));
  });
});

describe('app specs and cache rules', () => {
  it('reads PREFIX=DIR and DIR', () => {
    expect(parseAppSpec('kiosk=./dist/kiosk')).toEqual({ prefix: '/kiosk/', dir: './dist/kiosk' });
    expect(parseAppSpec('/kitchen/=dist')).toEqual({ prefix: '/kitchen/', dir: 'dist' });
    expect(parseAppSpec('./dist')).toEqual({ prefix: '/', dir: './dist' });
  });

  it('marks only hashed files immutable', () => {
    expect(cacheControl('assets/logo.svg')).toMatch(/immutable/);
    expect(cacheControl('app.5f3c2b1a.js')).toMatch(/immutable/);
    expect(cacheControl('bootstrap-reboot.css')).toBe('no-cache');
    expect(cacheControl('registerSW.js')).toBe('no-cache');
    expect(cacheControl('service-worker.js')).toBe('no-cache');
    expect(cacheControl('favicon.ico')).toBe('no-cache');
  });
});
