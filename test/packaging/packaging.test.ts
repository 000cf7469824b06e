import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test-support/chromium.js';
import { freePort } from '../../test-support/ports.js';
import { type AddonMirror, startAddonMirror } from './support/addonMirror.js';
import { startUntil } from './support/childProcess.js';
import { createFreshApp, outsideEnv } from './support/freshApp.js';
import {
  PACKAGES,
  type PackageName,
  packWorkspace,
  REPO_ROOT,
  tarballFiles,
  tarballText,
} from './support/packWorkspace.js';
import { run } from './support/run.js';
import { serveStatic } from './support/staticServer.js';

// What a team does with the packages: pack, install with npm into a fresh Vite + Svelte 5
// app outside the workspace, typecheck, build, run the relay from its bin, send an order.
let work: string;
let app: string;
let tarballs: Record<PackageName, string>;
let mirror: AddonMirror | null = null;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kitchen-sync-packaging-'));
  mkdirSync(join(work, 'tarballs'));
  tarballs = await packWorkspace(join(work, 'tarballs'));
  mirror = await startAddonMirror(join(REPO_ROOT, 'packages', 'relay'), work);
  app = join(work, 'app');
  await createFreshApp(app, tarballs, mirror);
});

afterAll(async () => {
  await mirror?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const bin = (name: string) => join(app, 'node_modules', '.bin', name);
const manifestOf = (name: PackageName) =>
  JSON.parse(
    readFileSync(join(app, 'node_modules', '@kitchen-sync', name, 'package.json'), 'utf8'),
  ) as { bin?: Record<string, string> };

describe('the packed tarballs', () => {
  it.each(PACKAGES)(
    '%s ships a README that npm shows, the docs it links, its build and nothing else',
    async (name) => {
      const files = await tarballFiles(tarballs[name]);
      expect(files).toContain('README.md');
      const readme = await tarballText(tarballs[name], 'README.md');
      expect(readme.split('\n')[0]).toBe(`# @kitchen-sync/${name}`);
      expect(
        files.filter(
          (file) => !/^(dist\/|bin\/|docs\/|package\.json$|README\.md$|LICENSE$)/.test(file),
        ),
      ).toEqual([]);
    },
  );

  it('declares only kitchen-sync- bins, each one a file in the tarball', async () => {
    const files = await tarballFiles(tarballs.relay);
    const bins = manifestOf('relay').bin ?? {};
    expect(Object.keys(bins)).toEqual(['kitchen-sync-relay']);
    for (const target of Object.values(bins)) expect(files).toContain(target.replace(/^\.\//, ''));
    expect(existsSync(bin('kitchen-sync-relay'))).toBe(true);
  });

  it('were installed from the tarballs, not linked to the workspace', () => {
    for (const name of PACKAGES) {
      const installed = realpathSync(join(app, 'node_modules', '@kitchen-sync', name));
      expect(installed.startsWith(realpathSync(app))).toBe(true);
    }
    // The relay's SQLite addon came from the mirror, not from a 70 s compile.
    if (mirror) expect(mirror.served).toBeGreaterThan(0);
  });
});

describe('a fresh Vite + TypeScript + Svelte 5 app', () => {
  // The pages use skipLibCheck as Vite's templates do (checking valibot's own declarations
  // alone takes 20 s); the worker's check has it off, so every declaration it reaches is checked.
  const tsc = (project: string) => run(bin('tsc'), ['-p', project], { cwd: app });

  it('typechecks its pages with moduleResolution bundler', async () => {
    await expect(tsc('tsconfig.bundler.json')).resolves.toBe('');
  });

  it('typechecks its pages with moduleResolution node16', async () => {
    await expect(tsc('tsconfig.node16.json')).resolves.toBe('');
  });

  it('typechecks its service worker with lib ["webworker"] alone and skipLibCheck false', async () => {
    await expect(tsc('tsconfig.sw.json')).resolves.toBe('');
  });

  it('typechecks a Node service embedding the relay with skipLibCheck false', async () => {
    // The relay's declarations name pg's types: they must come with the relay, not with its tests.
    await expect(tsc('tsconfig.relay.json')).resolves.toBe('');
  });

  it('builds with vite, the service worker included', async () => {
    await run(bin('vite'), ['build'], { cwd: app, env: outsideEnv() });
    for (const page of ['pos.html', 'kitchen.html', 'sw.js']) {
      expect(existsSync(join(app, 'dist', page))).toBe(true);
    }
    // Workbox reads process.env.NODE_ENV: a worker that still names it fails in the browser.
    expect(readFileSync(join(app, 'dist', 'sw.js'), 'utf8')).not.toContain('process.env');
  });

  it('serves the service worker under vite dev too', async () => {
    const port = await freePort();
    const dev = await startUntil(
      bin('vite'),
      ['--host', '127.0.0.1', '--port', String(port), '--strictPort'],
      { cwd: app, env: outsideEnv(), ready: /ready in/ },
    );
    try {
      const response = await fetch(`http://127.0.0.1:${port}/sw.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect(await response.text()).toMatch(/^\(function\(\)/);
    } finally {
      await dev.stop();
    }
  });

  it('sends an order from a POS page to a kitchen page through the relay started from its bin', async () => {
    const env = { ...outsideEnv(), KS_SECRET: 'packaging-test-secret' };
    const relay = await startUntil(
      bin('kitchen-sync-relay'),
      ['--port', '0', '--host', '127.0.0.1', '--data-dir', join(work, 'relay-data')],
      { cwd: app, env: { ...env, KS_LOG_LEVEL: 'warn' }, ready: /listening on (http:\/\/\S+)/ },
    );
    const token = async (...args: string[]) =>
      (
        await run(bin('kitchen-sync-relay'), ['token', '--outlet', '1', ...args], { cwd: app, env })
      ).trim();
    const site = await serveStatic(join(app, 'dist'));
    const browser = await launchChromium();
    try {
      const relayUrl = relay.match[1] ?? '';
      const query = (role: string) => `?relay=${encodeURIComponent(relayUrl)}&token=${role}`;
      const context = await browser.newContext();
      // A 404 from a settings request (no central backend) shows here as a console error.
      const errors: string[] = [];
      context.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${message.location().url}: ${message.text()}`);
      });
      context.on('weberror', (error) => errors.push(String(error.error())));

      const kitchen = await context.newPage();
      await kitchen.goto(
        `${site.url}/kitchen.html${query(await token('--role', 'kitchen', '--tenant', '1'))}`,
      );
      await kitchen.getByTestId('mode').filter({ hasText: 'connected' }).waitFor();

      const pos = await context.newPage();
      await pos.goto(`${site.url}/pos.html${query(await token('--role', 'pos'))}`);
      await pos.locator('#send:enabled').click();

      await kitchen.getByTestId('order').filter({ hasText: 'PKG-1' }).waitFor();
      await pos.locator('#pending').filter({ hasText: /^0$/ }).waitFor();
      const worker = await pos.evaluate(() =>
        navigator.serviceWorker.ready.then((registration) => registration.active?.scriptURL),
      );
      expect(worker).toBe(`${site.url}/sw.js`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await site.close();
      await relay.stop();
    }
  });
});
