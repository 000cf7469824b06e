import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { EventsResponse, PublishAck } from '@kitchen-sync/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TASK_NAME } from '../src/cli/autostart.js';
import {
  buildExecutables,
  installAlone,
  killAllExes,
  removeDir,
  runExe,
  startExe,
  startExeWith,
} from './exeProcess.js';
import { client, closeClients, connected, http, order } from './helpers.js';
import { closeWssClients, httpsGet, wssClient } from './tlsHelpers.js';
import { findWine, prepareWine, startUnderWine, stopWine, WINE_ENV } from './wine.js';

// Black-box tests of what `pnpm build:exe` produces: the Linux executable is run the way
// an outlet runs it, the Windows one is checked as a PE file and started under Wine.
const SECRET = 'exe-test-secret-that-is-long-enough-32';
const SEA_FUSE_SET = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1';

let out: string;
const dirs: string[] = [];
beforeAll(() => {
  out = buildExecutables(['linux-x64', 'win-x64']);
}, 300_000);
afterAll(() => removeDir(out));
afterEach(() => {
  closeClients();
  closeWssClients();
  killAllExes();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function linuxExe(): string {
  const exe = installAlone(join(out, 'linux-x64', 'kitchen-sync-relay'), 'kitchen-sync-relay');
  dirs.push(join(exe, '..', '..'));
  return exe;
}

/** The Windows executable alone in a new outlet folder, Wine ready, and a port for it. */
function windowsOutlet(): { wine: string; exe: string; port: number } {
  const wine = findWine();
  prepareWine(wine);
  const exe = installAlone(
    join(out, 'win-x64', 'kitchen-sync-relay.exe'),
    'kitchen-sync-relay.exe',
  );
  dirs.push(join(exe, '..', '..'));
  // A fixed loopback port: the ready line goes to a file under Wine, not to a pipe.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  return { wine, exe, port };
}

/** `probe`'s first answer, asked every 500 ms for up to 90 s (Wine starts slowly). */
async function firstAnswer<T>(probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + 90_000;
  let answer: T | undefined;
  while (answer === undefined && Date.now() < deadline) {
    answer = await probe();
    if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return answer;
}

/** A token minted by the executable itself. */
function mint(
  exe: string,
  role: string,
  extra: string[] = [],
  env: Record<string, string> = { KS_SECRET: SECRET },
): string {
  const result = runExe(exe, ['token', '--role', role, '--outlet', '1', ...extra], env);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('the Linux executable, alone in a directory', () => {
  it('serves on node:sqlite, delivers a published order and keeps it across a restart', async () => {
    const exe = linuxExe();
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: join(exe, '..', 'data'), KS_LOG_LEVEL: 'warn' };
    const relay = await startExe(exe, [], env);
    expect((await http(relay.url, '/health')).body).toMatchObject({
      status: 'ok',
      store: 'sqlite',
      store_engine: 'node:sqlite',
    });
    const kitchen = await connected(relay.url, { token: mint(exe, 'kitchen') });
    const pos = await connected(relay.url, { token: mint(exe, 'pos') });
    const published = order();
    expect(await pos.request('order:publish', published)).toMatchObject({ ok: true, seq: 1 });
    await kitchen.waitFor(() => kitchen.events().length === 1);
    expect(kitchen.events()[0]).toMatchObject({ seq: 1, order_id: published.order_id });
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    // The graceful stop checkpointed: relay.db alone holds the order.
    const again = await startExe(exe, [], env);
    expect((await http(again.url, '/health')).body.head_seq).toBe(1);
  });

  it('loses no acknowledged order when SIGKILLed mid-stream; kitchens resume from their cursor', async () => {
    const exe = linuxExe();
    const env = { KS_SECRET: SECRET, KS_DATA_DIR: join(exe, '..', 'data'), KS_LOG_LEVEL: 'warn' };
    const first = await startExe(exe, [], env);
    const pos = await connected(first.url, { token: mint(exe, 'pos') });
    const acked = new Map<string, number>();
    const total = 300;
    let killed = false;
    await new Promise<void>((resolve) => {
      let settled = 0;
      for (let i = 0; i < total; i++) {
        const o = order();
        pos.socket.timeout(5_000).emit('order:publish', o, (err: unknown, ack: PublishAck) => {
          if (!err && ack.ok) acked.set(o.order_id, ack.seq);
          if (!killed && acked.size >= 80) {
            killed = true;
            first.child.kill('SIGKILL');
          }
          if (++settled === total) resolve();
        });
      }
    });
    expect(await first.exited).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(80);

    const second = await startExe(exe, [], env);
    const admin = mint(exe, 'admin');
    const page = (await http(second.url, '/api/events?since=0&limit=1000', { token: admin }))
      .body as EventsResponse;
    const seqOf = new Map(page.events.map((e) => [e.order_id, e.seq]));
    for (const [orderId, seq] of acked) expect(seqOf.get(orderId)).toBe(seq);
    const head = page.events.length;
    const resumed = client(second.url, {
      token: mint(exe, 'kitchen'),
      since: 40,
      epoch: page.epoch,
    });
    await resumed.waitFor((r) => r.some((x) => x.name === 'sync:caught_up'));
    expect(resumed.events().map((e) => e.seq)).toEqual(
      Array.from({ length: head - 40 }, (_, i) => i + 41),
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('starts with no arguments: secret, data dir and log file beside it; status and autostart work', async () => {
    const exe = linuxExe();
    const home = join(exe, '..');
    // Where to listen is the one thing given (as environment): the default is 0.0.0.0:3001.
    const where = { KS_HOST: '127.0.0.1', KS_PORT: '0' };
    const relay = await startExeWith(exe, [], where);
    expect(relay.stdout()).toContain(`A new secret was created in ${join(home, 'data', 'secret')}`);
    expect(relay.stdout().indexOf('A new secret')).toBeLessThan(
      relay.stdout().indexOf('listening'),
    );
    const port = new URL(relay.url).port;
    // Tokens from the secret the relay created, without being told where it is.
    const pos = await connected(relay.url, { token: mint(exe, 'pos', [], {}) });
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });

    const up = runExe(exe, ['status', '--port', port], {});
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`RUNNING at http://127.0.0.1:${port}`);
    expect(up.stdout).toContain('log position: event 1 (');
    const plan = runExe(exe, ['autostart', 'install', '--dry-run'], {});
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`ExecStart=${exe} serve --data-dir ${join(home, 'data')}`);

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const down = runExe(exe, ['status', '--port', port], {});
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('NOT RUNNING');
    const log = readFileSync(join(home, 'logs', 'kitchen-sync-relay.log'), 'utf8');
    expect(log).toContain('"msg":"relay listening"');
    expect(log).toContain('"msg":"relay closed"');
    // The second start keeps the secret and says nothing about it.
    const again = await startExeWith(exe, [], where);
    expect(again.stdout()).not.toContain('secret');
  });

  // After `sudo … autostart install` (or unzipping with sudo) the folder's data is root's: the
  // cashier's user asking for a token gets the reason and what to do, not a stack trace.
  it('says data_dir_permissions when its data belongs to another user, and looks nowhere else', () => {
    const exe = linuxExe();
    const folder = join(exe, '..');
    chmodSync(join(folder, '..'), 0o755);
    chmodSync(folder, 0o755);
    expect(runExe(exe, ['token', '--role', 'pos', '--outlet', '1'], {}).code).toBe(0);
    const asNobody = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        exe,
        'token',
        '--role',
        'pos',
        '--outlet',
        '1',
      ],
      { cwd: folder, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(asNobody.status).toBe(1);
    expect(asNobody.stderr).toContain(
      `cannot use ${join(folder, 'data')} (EACCES): run this as the user who runs the relay`,
    );
    expect(asNobody.stderr).toContain('[data_dir_permissions]');
    expect(asNobody.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a token minted with another secret', async () => {
    const exe = linuxExe();
    const relay = await startExe(exe, [], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: join(exe, '..', 'data'),
      KS_LOG_LEVEL: 'warn',
    });
    const other = runExe(exe, ['token', '--role', 'pos', '--outlet', '1'], {
      KS_SECRET: 'another-secret-that-is-long-enough-32',
    }).stdout.trim();
    const answer = await http(relay.url, '/api/events?since=0', { token: other });
    expect(answer.status).toBe(401);
  });
});

/** Name, Unix mode and inflated content of every entry, read from the central directory. */
function zipEntries(file: string): Array<{ name: string; mode: number; data: Buffer }> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const packed = zip.readUInt32LE(at + 20);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      mode: (zip.readUInt32LE(at + 38) >>> 16) & 0o777,
      data: inflateRawSync(zip.subarray(dataAt, dataAt + packed)),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('the release zips', () => {
  it('hold the Windows exe with the .bat files and a README in Indonesian and English', () => {
    const entries = zipEntries(join(out, 'kitchen-sync-relay-0.1.0-win-x64.zip'));
    const folder = 'kitchen-sync-relay-win-x64/';
    expect(entries.map((e) => e.name).sort()).toEqual(
      [
        'CHECK_KITCHEN_SYNC.bat',
        'INSTALL_AUTOSTART.bat',
        'README.txt',
        'REMOVE_AUTOSTART.bat',
        'START_KITCHEN_SYNC.bat',
        'kitchen-sync-relay.exe',
      ].map((name) => folder + name),
    );
    const byName = new Map(entries.map((e) => [e.name.slice(folder.length), e]));
    expect(
      byName
        .get('kitchen-sync-relay.exe')!
        .data.equals(readFileSync(join(out, 'win-x64', 'kitchen-sync-relay.exe'))),
    ).toBe(true);
    const check = byName.get('CHECK_KITCHEN_SYNC.bat')!.data.toString();
    expect(check).toContain('kitchen-sync-relay.exe" status\r\n');
    expect(check).not.toMatch(/[^\r]\n/);
    // An outlet's pages come over https://: the relay they reach has to speak HTTPS too, at
    // every start, by hand or at boot.
    expect(byName.get('START_KITCHEN_SYNC.bat')!.data.toString()).toContain(
      'kitchen-sync-relay.exe" serve --tls auto\r\n',
    );
    expect(byName.get('INSTALL_AUTOSTART.bat')!.data.toString()).toContain(
      'autostart install -- --tls auto\r\n',
    );
    const readme = byName.get('README.txt')!.data.toString();
    expect(readme).toContain('[Bahasa Indonesia]');
    expect(readme).toContain('[English]');
    expect(readme).toContain("https://<this PC's IP>:3001/setup");
    expect(readme).not.toContain('http://<');
  });

  it('hold the Linux executable, still executable', () => {
    const entries = zipEntries(join(out, 'kitchen-sync-relay-0.1.0-linux-x64.zip'));
    const exe = entries.find((e) => e.name === 'kitchen-sync-relay-linux-x64/kitchen-sync-relay')!;
    expect(exe.mode).toBe(0o755);
    expect(exe.data.length).toBe(statSync(join(out, 'linux-x64', 'kitchen-sync-relay')).size);
    const readme = entries.find((e) => e.name === 'kitchen-sync-relay-linux-x64/README.txt')!;
    expect(readme.data.toString()).toContain('autostart install -- --tls auto');
    expect(readme.data.toString()).not.toContain('http://<');
  });
});

describe('the Windows executable', () => {
  it('is a PE32+ x64 program carrying the injected relay', () => {
    const exe = join(out, 'win-x64', 'kitchen-sync-relay.exe');
    const bytes = readFileSync(exe);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('MZ');
    const pe = bytes.readUInt32LE(0x3c);
    expect(bytes.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
    expect(bytes.readUInt16LE(pe + 4)).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
    expect(bytes.readUInt16LE(pe + 24)).toBe(0x20b); // PE32+ optional header
    // postject flips Node's fuse to ":1" when it injects a blob; a plain node.exe has ":0".
    expect(bytes.includes(SEA_FUSE_SET)).toBe(true);
    // The blob holds the bundled relay's source.
    expect(bytes.includes('kitchen-sync-relay listening on')).toBe(true);
    expect(statSync(exe).size).toBeLessThan(150e6);
  });

  it('starts under Wine, answers /health, takes an order and stops', async () => {
    const { wine, exe, port } = windowsOutlet();
    const relay = startUnderWine(
      wine,
      exe,
      ['serve', '--host', '127.0.0.1', '--port', String(port)],
      { KS_SECRET: SECRET, KS_DATA_DIR: 'data', KS_LOG_LEVEL: 'warn' },
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      const health = await firstAnswer(() =>
        http(url, '/health', { timeoutMs: 2_000 }).catch(() => undefined),
      );
      expect(health?.body, relay.output()).toMatchObject({
        status: 'ok',
        store_engine: 'node:sqlite',
      });
      const pos = await connected(url, { token: mint(linuxExe(), 'pos') });
      expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
      expect(relay.output()).toContain(`listening on ${url}`);
    } finally {
      relay.child.kill('SIGKILL');
      stopWine(wine);
    }
    await relay.exited;
    expect(await http(url, '/health', { timeoutMs: 2_000 }).catch(() => 'stopped')).toBe('stopped');
  });

  // INSTALL_AUTOSTART.bat: Wine's Task Scheduler reads the task XML and keeps its settings, with
  // the defaults of Windows where a setting is missing (3 days, not on battery, priority 7).
  it('under Wine, installs the boot task with no time limit, on battery power too, at normal priority, and removes it', async () => {
    const { wine, exe } = windowsOutlet();
    const stored = join(WINE_ENV.WINEPREFIX, 'drive_c', 'windows', 'system32', 'tasks', TASK_NAME);
    try {
      const install = startUnderWine(
        wine,
        exe,
        ['autostart', 'install', '--data-dir', 'data', '--', '--tls', 'auto'],
        {},
        'autostart-install.txt',
      );
      expect(await install.exited, install.output()).toBe(0);
      expect(install.output()).toContain('The relay now starts when this computer starts.');
      const task = readFileSync(stored, 'utf8');
      expect(task).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
      expect(task).toContain('<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>');
      expect(task).toContain('<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>');
      expect(task).toContain('<Priority>4</Priority>');
      expect(task).toContain('<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>');
      const remove = startUnderWine(wine, exe, ['autostart', 'remove'], {}, 'autostart-remove.txt');
      expect(await remove.exited, remove.output()).toBe(0);
      expect(existsSync(stored)).toBe(false);
    } finally {
      rmSync(stored, { force: true });
      stopWine(wine);
    }
  });

  // Outlets run the Windows executable: the built-in outlet CA (X.509 through WebCrypto, key
  // files without Unix modes) has to work there, not only under Node on Linux.
  it('under Wine, refuses an --app folder that holds the data dir by another name of it (app_dir_private)', async () => {
    const { wine, exe, port } = windowsOutlet();
    // One folder, two names: C:\… and the Z:\ drive Wine maps to the Linux root (on Windows
    // an 8.3 short name or a subst drive). Only the native real path sees they are the same.
    const site = `ks-app-${port}`;
    const folder = join(WINE_ENV.WINEPREFIX, 'drive_c', site, 'Site');
    mkdirSync(join(folder, 'data'), { recursive: true });
    writeFileSync(join(folder, 'index.html'), '<title>kiosk</title>');
    const relay = startUnderWine(
      wine,
      exe,
      [
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--data-dir',
        `C:\\${site}\\Site\\data`,
        '--app',
        `Z:${folder.replaceAll('/', '\\')}`,
      ],
      { KS_SECRET: SECRET, KS_LOG_LEVEL: 'warn' },
      'app-private.txt',
    );
    try {
      const code = await Promise.race([
        relay.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), 90_000)),
      ]);
      expect(relay.output()).toContain('[app_dir_private]');
      expect(code).toBe(1);
    } finally {
      relay.child.kill('SIGKILL');
      stopWine(wine);
      await relay.exited;
      rmSync(join(folder, '..'), { recursive: true, force: true });
    }
  }, 120_000);

  it('under Wine, serves HTTPS and WSS from its own outlet CA (--tls auto) and keeps that CA across a restart', async () => {
    const { wine, exe, port } = windowsOutlet();
    const url = `https://127.0.0.1:${port}`;
    const tlsDir = join(exe, '..', 'data', 'tls');
    const start = () =>
      startUnderWine(
        wine,
        exe,
        ['serve', '--host', '127.0.0.1', '--port', String(port), '--tls', 'auto'],
        {
          KS_SECRET: SECRET,
          KS_DATA_DIR: 'data',
          KS_LOG_LEVEL: 'warn',
          KS_NAME: 'relay.outlet.lan',
        },
      );
    const healthOverHttps = async (relay: ReturnType<typeof start>) => {
      const caFile = join(tlsDir, 'ca.crt');
      const health = await firstAnswer(async () =>
        existsSync(caFile)
          ? httpsGet(url, '/health', readFileSync(caFile, 'utf8')).catch(() => undefined)
          : undefined,
      );
      expect(health?.status, relay.output()).toBe(200);
      return health?.json();
    };
    const stop = async (relay: ReturnType<typeof start>) => {
      relay.child.kill('SIGKILL');
      stopWine(wine);
      await relay.exited;
    };

    const first = start();
    let caPem: string;
    let relayPem: string;
    try {
      const health = await healthOverHttps(first);
      expect(health.tls).toMatchObject({ enabled: true, source: 'auto' });
      expect(health.tls.subjectAltNames).toEqual(
        expect.arrayContaining(['DNS:relay.outlet.lan', 'DNS:localhost', 'IP:127.0.0.1']),
      );
      caPem = readFileSync(join(tlsDir, 'ca.crt'), 'utf8');
      relayPem = readFileSync(join(tlsDir, 'relay.crt'), 'utf8');
      // /ca.crt serves the CA in DER, the form every platform's installer takes.
      const served = new X509Certificate((await httpsGet(url, '/ca.crt', caPem)).body);
      expect(served.fingerprint256).toBe(new X509Certificate(caPem).fingerprint256);
      // Plain http:// on the TLS port is told to use https://, never served.
      const plain = await http(`http://127.0.0.1:${port}`, '/health', { timeoutMs: 5_000 });
      expect(plain.status).toBe(426);
      expect(plain.body.error.code).toBe('https_required');
      const pos = await wssClient(url, caPem, { token: mint(linuxExe(), 'pos') });
      expect(await pos.timeout(5_000).emitWithAck('order:publish', order())).toMatchObject({
        ok: true,
        seq: 1,
      });
      // What CHECK_KITCHEN_SYNC.bat runs: no flags but the port; it finds the CA itself.
      const status = startUnderWine(
        wine,
        exe,
        ['status', '--port', String(port)],
        { KS_LOG_LEVEL: 'warn' },
        'status-output.txt',
      );
      expect(await status.exited, status.output()).toBe(0);
      expect(status.output()).toContain(`RUNNING at https://localhost:${port}`);
      expect(status.output()).toContain(
        `CA SHA-256 (the one /setup must show): ${new X509Certificate(caPem).fingerprint256}`,
      );
    } finally {
      await stop(first);
    }

    const second = start();
    try {
      const health = await healthOverHttps(second);
      expect(health.head_seq).toBe(1);
      // The same CA and, with nothing about the machine changed, the same certificate.
      expect(readFileSync(join(tlsDir, 'ca.crt'), 'utf8')).toBe(caPem);
      expect(readFileSync(join(tlsDir, 'relay.crt'), 'utf8')).toBe(relayPem);
    } finally {
      await stop(second);
    }
  });
});
