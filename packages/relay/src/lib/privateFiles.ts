import { chmodSync, closeSync, openSync, statSync } from 'node:fs';

/**
 * Guests' names and phones, the token secret and central's credential live in files on the
 * outlet's PC, which other accounts may use too: they are the relay user's alone. Windows has
 * no POSIX modes (chmod only sets the read-only flag); there the folder's ACL protects them.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

const modesApply = (platform: NodeJS.Platform) => platform !== 'win32';

/** The mode bits (e.g. 644) of `path` when group or others have any, else undefined. */
export function openToOthers(
  path: string,
  platform: NodeJS.Platform = process.platform,
): number | undefined {
  if (!modesApply(platform)) return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined; // missing or unreadable: the reader says so with its own code
  }
  return (mode & 0o077) === 0 ? undefined : mode & 0o777;
}

/** Creates `path` empty with mode 0600 when it is missing, so it is never readable by others. */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

export interface Tightening {
  /** `relay.db (644 → 600)`: what was made private. */
  changed: string[];
  /** `relay.db (EPERM)`: what could not be (another user owns it). */
  failed: string[];
}

/**
 * Takes group and others' access away from files and folders the relay owns that an older
 * release (or a umask of 022) left open. Missing paths are skipped; a chmod that fails is
 * reported, never thrown: the relay still starts.
 */
export function tightenModes(
  paths: ReadonlyArray<{ path: string; label: string }>,
  platform: NodeJS.Platform = process.platform,
): Tightening {
  const result: Tightening = { changed: [], failed: [] };
  for (const { path, label } of paths) {
    const open = openToOthers(path, platform);
    if (open === undefined) continue;
    const target = statSync(path).isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    try {
      chmodSync(path, target);
      result.changed.push(`${label} (${open.toString(8)} → ${target.toString(8)})`);
    } catch (error) {
      result.failed.push(`${label} (${(error as { code?: string }).code ?? error})`);
    }
  }
  return result;
}

/** One log line for a tightening, or undefined when nothing needed it. */
export function tighteningReport(what: string, result: Tightening): string | undefined {
  const parts: string[] = [];
  if (result.changed.length > 0) {
    parts.push(
      `made ${what} readable by this user only: ${result.changed.join(', ')} (an older release or a umask of 022 had left them readable by every account on this machine)`,
    );
  }
  if (result.failed.length > 0) {
    parts.push(
      `could not make ${what} private: ${result.failed.join(', ')}; other accounts on this machine may read them: run the relay as their owner, or chmod them`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}
