import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ConfigError } from '../lib/configError.js';
import type { AppMount } from './appRoutes.js';

/**
 * What the relay keeps for itself and an app folder must never hand out: the data dir (the
 * SQLite log with guests' orders), the TLS dir (the outlet CA's private key), the secret,
 * central's credential, the TLS key, the log.
 */
export interface PrivatePath {
  kind: 'dir' | 'file';
  /** How the refusal names it: `the data dir`, `the secret file`. */
  what: string;
  path: string;
}

/** A private path with its real path at start (symlinks resolved), as files are compared with it. */
export interface ResolvedPrivatePath extends PrivatePath {
  /** `path` made absolute at start: a later chdir does not move it. */
  absolute: string;
  real: string;
}

// Case-insensitive file systems: /Data is /data there, so compare as the disk does.
const FOLD_CASE = process.platform === 'win32' || process.platform === 'darwin';
const fold = (path: string) => (FOLD_CASE ? path.toLowerCase() : path);

/**
 * The real path of `path`, which may not exist yet (the data dir on a first start): its
 * nearest existing ancestor resolved, the rest appended.
 */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(realPathOf(parent), basename(absolute));
  }
}

export function resolvePrivatePaths(paths: PrivatePath[]): ResolvedPrivatePath[] {
  return paths.map((entry) => ({
    ...entry,
    absolute: resolve(entry.path),
    real: realPathOf(entry.path),
  }));
}

/** `inner` is `outer` or lies under it (both real paths). */
export function isWithin(inner: string, outer: string): boolean {
  const a = fold(inner);
  const b = fold(outer);
  return a === b || a.startsWith(b.endsWith(sep) ? b : b + sep);
}

/** `real` is `file` or one of its rotations (`relay.log.1`). */
function isFileOrRotation(real: string, file: string): boolean {
  const a = fold(real);
  const b = fold(file);
  return a === b || (a.startsWith(`${b}.`) && /^\d+$/.test(a.slice(b.length + 1)));
}

/**
 * A real path the relay must not serve: inside a private dir, or a private file. Each is
 * compared as it was at start and as it is now: a data dir moved into the app folder while
 * the relay runs (a symlink left where it was) must not be served either.
 */
export function isPrivatePath(real: string, privatePaths: ResolvedPrivatePath[]): boolean {
  return privatePaths.some((entry) =>
    [entry.real, realPathOf(entry.absolute)].some((privateReal) =>
      entry.kind === 'dir' ? isWithin(real, privateReal) : isFileOrRotation(real, privateReal),
    ),
  );
}

/**
 * Refuses at start an app folder that holds (or is, or lies inside) a private path: every
 * file of an app folder is served to anyone on the LAN without a token.
 */
export function refuseAppsOverPrivatePaths(
  apps: AppMount[],
  privatePaths: ResolvedPrivatePath[],
): void {
  for (const app of apps) {
    const root = realPathOf(app.dir);
    for (const entry of privatePaths) {
      const holds = isWithin(entry.real, root);
      // An app inside the data or TLS dir would have every file refused: say so now.
      const inside = entry.kind === 'dir' && isWithin(root, entry.real);
      if (!holds && !inside) continue;
      throw new ConfigError(
        'app_dir_private',
        holds
          ? `the app directory ${app.dir} holds ${entry.what} (${entry.path}), and an app folder is served to anyone on the network without a token: move ${entry.what} out of it`
          : `the app directory ${app.dir} lies inside ${entry.what} (${entry.path}), which the relay never serves: build the app into a folder of its own`,
      );
    }
  }
}
