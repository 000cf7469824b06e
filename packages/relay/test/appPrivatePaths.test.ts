import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createRelay } from '../src/index.js';
import {
  isPrivatePath,
  type PrivatePath,
  realPathOf,
  refuseAppsOverPrivatePaths,
  resolvePrivatePaths,
} from '../src/transport/appPrivatePaths.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';

afterEach(removeTempDirs);

function refusal(apps: string[], paths: PrivatePath[]): ConfigError | null {
  try {
    refuseAppsOverPrivatePaths(
      apps.map((dir) => ({ prefix: '/', dir })),
      resolvePrivatePaths(paths),
    );
    return null;
  } catch (error) {
    return error as ConfigError;
  }
}

const dataDir = (path: string): PrivatePath => ({ kind: 'dir', what: 'the data dir', path });

describe('realPathOf', () => {
  it('resolves symlinks and `..`, also for a path that does not exist yet', () => {
    const root = realPathOf(tempDir('ks-real-'));
    mkdirSync(join(root, 'site'));
    symlinkSync(join(root, 'site'), join(root, 'link'));
    expect(realPathOf(join(root, 'link', 'data', 'tls'))).toBe(join(root, 'site', 'data', 'tls'));
    expect(realPathOf(join(root, 'site', '..', 'site', 'data'))).toBe(join(root, 'site', 'data'));
  });
});

describe('refuseAppsOverPrivatePaths', () => {
  it('refuses an app folder that holds, is or lies inside the data dir', () => {
    const root = tempDir('ks-refuse-');
    const site = join(root, 'site');
    mkdirSync(site);
    symlinkSync(site, join(root, 'link'));
    for (const [app, data] of [
      [site, join(site, 'data')],
      [site, join(site, '..', 'site', 'data')],
      [join(root, 'link'), join(site, 'data')],
      [site, join(root, 'link', 'data')],
      [site, site],
      [join(root, 'data', 'site'), join(root, 'data')],
    ] as const) {
      expect(refusal([app], [dataDir(data)])?.code, `${app} / ${data}`).toBe('app_dir_private');
    }
  });

  it('refuses a private file inside the app folder, and names it', () => {
    const site = tempDir('ks-refuse-');
    const error = refusal(
      [site],
      [{ kind: 'file', what: 'the secret file', path: join(site, 'secret') }],
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('the secret file');
  });

  it('lets an app folder beside the data dir start', () => {
    const root = tempDir('ks-refuse-');
    mkdirSync(join(root, 'site'));
    expect(
      refusal(
        [join(root, 'site')],
        [
          dataDir(join(root, 'site-data')),
          { kind: 'file', what: 'the log file', path: join(root, 'relay.log') },
        ],
      ),
    ).toBeNull();
  });
});

describe('isPrivatePath', () => {
  it('is true inside a private dir and for a private file or its rotations only', () => {
    const root = realPathOf(tempDir('ks-private-'));
    const paths = resolvePrivatePaths([
      dataDir(join(root, 'data')),
      { kind: 'file', what: 'the log file', path: join(root, 'relay.log') },
    ]);
    expect(isPrivatePath(join(root, 'data'), paths)).toBe(true);
    expect(isPrivatePath(join(root, 'data', 'tls', 'ca.key'), paths)).toBe(true);
    expect(isPrivatePath(join(root, 'relay.log'), paths)).toBe(true);
    expect(isPrivatePath(join(root, 'relay.log.3'), paths)).toBe(true);
    expect(isPrivatePath(join(root, 'data2', 'index.html'), paths)).toBe(false);
    expect(isPrivatePath(join(root, 'relay.log.html'), paths)).toBe(false);
    expect(isPrivatePath(join(root, 'site', 'index.html'), paths)).toBe(false);
  });
});

describe('createRelay({ apps })', () => {
  it('refuses an app folder holding its data dir before it makes anything', () => {
    const site = tempDir('ks-embedded-');
    const data = join(site, 'data');
    expect(() =>
      createRelay({
        secret: SECRET,
        dataDir: data,
        logLevel: 'silent',
        apps: [{ prefix: '/kiosk/', dir: site }],
      }),
    ).toThrow(expect.objectContaining({ code: 'app_dir_private' }));
    expect(existsSync(data)).toBe(false);
    // With the memory store there is no data dir to protect.
    const relay = createRelay({
      secret: SECRET,
      store: 'memory',
      dataDir: data,
      logLevel: 'silent',
      apps: [{ prefix: '/kiosk/', dir: site }],
    });
    return relay.close();
  });
});
