import { createReadStream, realpathSync, type Stats, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../lib/configError.js';
import { isPrivatePath, isWithin, type ResolvedPrivatePath } from './appPrivatePaths.js';

/** A built PWA served by the relay: `/kiosk/` → `./dist/kiosk`. */
export interface AppMount {
  /** URL path prefix, `/` or `/name/` (`kiosk` and `/kiosk` are read as `/kiosk/`). */
  prefix: string;
  dir: string;
}

/** Paths the relay answers itself; an app may not sit on or under them. */
export const RELAY_PATHS = [
  'health',
  'api',
  'socket.io',
  'ca.crt',
  'setup',
  'metrics',
  'clients',
  'emit',
];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
// A bundler's content hash: 8+ url-safe characters with at least one digit, before the extension
// (`index-B3x9kQ1a.js`, `app.5f3c2b1a.css`). Anything else must revalidate, or an upgrade
// would leave tablets on a stale file for a year.
const HASHED_NAME = /[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.[a-z0-9]+$/;
const SERVICE_WORKER = /^(sw|service-worker|registerSW)\.js$/;

export function cacheControl(relativePath: string): string {
  const name = relativePath.split('/').pop() ?? '';
  if (name.endsWith('.html') || name.endsWith('.webmanifest') || SERVICE_WORKER.test(name)) {
    return REVALIDATE;
  }
  // Vite puts every hashed output under assets/.
  if (relativePath.startsWith('assets/') || HASHED_NAME.test(name)) return IMMUTABLE;
  return REVALIDATE;
}

/** `PREFIX=DIR` or `DIR` (served at `/`), as `--app` takes it. */
export function parseAppSpec(spec: string): AppMount {
  const at = spec.indexOf('=');
  if (at === -1) return { prefix: '/', dir: spec };
  return { prefix: normalizePrefix(spec.slice(0, at)), dir: spec.slice(at + 1) };
}

export function normalizePrefix(raw: string): string {
  const trimmed = raw.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '/';
  const segments = trimmed.split('/');
  if (!segments.every((s) => /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/.test(s))) {
    throw new ConfigError(
      'app_prefix_invalid',
      `app prefix "${raw}" must be / or /name/ (letters, digits, - _ . ~)`,
    );
  }
  if (RELAY_PATHS.includes(segments[0]!)) {
    throw new ConfigError('app_prefix_reserved', `app prefix "${raw}" is one of the relay's paths`);
  }
  return `/${segments.join('/')}/`;
}

interface ResolvedMount {
  prefix: string;
  root: string;
}

function resolveMounts(mounts: AppMount[]): ResolvedMount[] {
  const seen = new Set<string>();
  return mounts.map((mount) => {
    const prefix = normalizePrefix(mount.prefix);
    if (seen.has(prefix)) {
      throw new ConfigError('app_prefix_duplicate', `two apps are mounted at ${prefix}`);
    }
    seen.add(prefix);
    let root: string;
    try {
      root = realpathSync.native(resolve(mount.dir));
    } catch {
      throw new ConfigError('app_dir_missing', `the app directory ${mount.dir} does not exist`);
    }
    if (!statSync(root).isDirectory()) {
      throw new ConfigError('app_dir_missing', `the app path ${mount.dir} is not a directory`);
    }
    return { prefix, root };
  });
}

/** The file under `root` that `segments` name, or null when it would leave `root`. */
function containedFile(root: string, segments: string[]): string | null {
  for (const segment of segments) {
    if (segment === '..' || segment === '.' || /[\\/\0]/.test(segment)) return null;
  }
  const path = resolve(root, ...segments);
  if (!isWithin(path, root)) return null;
  return path;
}

/** A segment starting with a dot, other than a leading `.well-known`. */
function hiddenPath(segments: string[]): boolean {
  return segments.some((s, i) => s.startsWith('.') && !(i === 0 && s === '.well-known'));
}

/**
 * Stats of a regular file that is really inside `root` (symlinks out of it do not count) and
 * is none of the relay's private files: a symlink made after start must not reach the CA key.
 */
function regularFileInside(
  root: string,
  path: string,
  privatePaths: ResolvedPrivatePath[],
): Stats | null {
  try {
    const real = realpathSync.native(path);
    if (!isWithin(real, root)) return null;
    if (isPrivatePath(real, privatePaths)) return null;
    const stats = statSync(real);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

/**
 * A page a static build wrote for this route: `kitchen/index.html` for `/kitchen/`, `pos.html`
 * for `/pos` (SvelteKit's adapter-static, Next's export, Astro). Without it every route got the
 * root index.html and a framework that prerenders hydrated the home page on the kitchen tablet.
 * A directory asked for without its slash is sent to it, as its page's relative asset paths
 * (`../_app/…`) only resolve from there.
 */
function prerenderedPage(
  root: string,
  file: string,
  endsWithSlash: boolean,
  privatePaths: ResolvedPrivatePath[],
): { path: string; stats: Stats } | 'add-slash' | null {
  if (file !== root) {
    const index = join(file, 'index.html');
    const indexStats = regularFileInside(root, index, privatePaths);
    if (indexStats) return endsWithSlash ? { path: index, stats: indexStats } : 'add-slash';
    if (!endsWithSlash) {
      const html = `${file}.html`;
      const htmlStats = regularFileInside(root, html, privatePaths);
      if (htmlStats) return { path: html, stats: htmlStats };
    }
  }
  return null;
}

function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
  stats: Stats,
  cache: string,
) {
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  reply
    .header('content-type', MIME[extname(path).toLowerCase()] ?? 'application/octet-stream')
    .header('cache-control', cache)
    .header('etag', etag)
    .header('last-modified', stats.mtime.toUTCString())
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.header('content-length', stats.size);
  return reply.send(createReadStream(path));
}

/**
 * Serves built PWAs from the relay's own origin (a secure context over HTTPS, with no Local
 * Network Access prompt). A route a static build prerendered gets its page; other paths
 * without an extension get the app's index.html, so client-side routes load; relay routes
 * are never shadowed. Nothing under `privatePaths` (the data dir, the TLS dir, the secret…)
 * is ever served, whatever the app folder links to.
 */
export function registerAppRoutes(
  app: FastifyInstance,
  mounts: AppMount[],
  privatePaths: ResolvedPrivatePath[],
): string[] {
  const resolved = resolveMounts(mounts);
  for (const { prefix, root } of resolved) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = (request.raw.url ?? '/').split('?')[0]!;
      let segments: string[];
      try {
        segments = path
          .slice(prefix.length)
          .split('/')
          .filter((s) => s !== '')
          .map(decodeURIComponent);
      } catch {
        return reply.code(400).send({
          error: { code: 'invalid_payload', message: 'the path is not valid URL encoding' },
        });
      }
      // An app at / must not answer for the relay's own paths (a wrong /api call stays a 404).
      if (prefix === '/' && RELAY_PATHS.includes(segments[0] ?? '')) return reply.callNotFound();
      // Dotfiles (.env, .git/, .DS_Store) are left in build folders, never meant for the LAN;
      // only /.well-known/ (assetlinks.json, security.txt) is a public dot path.
      if (hiddenPath(segments)) return reply.callNotFound();
      const file = containedFile(root, segments);
      if (file === null) return reply.callNotFound();
      const stats = regularFileInside(root, file, privatePaths);
      if (stats) return sendFile(request, reply, file, stats, cacheControl(segments.join('/')));
      // A missing asset stays a 404; a client-side route gets the app shell.
      if (extname(segments[segments.length - 1] ?? '') !== '') return reply.callNotFound();
      const page = prerenderedPage(
        root,
        file,
        segments.length > 0 && path.endsWith('/'),
        privatePaths,
      );
      if (page === 'add-slash') {
        const query = (request.raw.url ?? '').slice(path.length);
        return reply.redirect(`${path}/${query}`, 301);
      }
      if (page) return sendFile(request, reply, page.path, page.stats, REVALIDATE);
      const index = join(root, 'index.html');
      const indexStats = regularFileInside(root, index, privatePaths);
      if (!indexStats) return reply.callNotFound();
      return sendFile(request, reply, index, indexStats, REVALIDATE);
    };
    // Static files are cheap and come in bursts (a PWA's first load): not rate limited.
    const config = { config: { rateLimit: false } };
    if (prefix === '/') {
      app.get('/*', config, handler);
    } else {
      app.get(prefix.slice(0, -1), config, (_request, reply) => reply.redirect(prefix, 301));
      app.get(`${prefix}*`, config, handler);
    }
  }
  return resolved.map((mount) => mount.prefix);
}
