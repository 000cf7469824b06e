import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventsResponse, LIMITS, type PublishAck } from '@kitchen-sync/protocol';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TOKEN_LIFETIME_S } from '../src/auth/tokenExpiry.js';
import { CliError, parseCli, parseTtl } from '../src/cliOptions.js';
import { createTokenVerifier } from '../src/index.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { client, connected, http, order, SECRET, tokenFor } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-cli-'));
});
afterEach(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ KS_SECRET: SECRET, KS_DATA_DIR: join(dir, 'data'), KS_LOG_LEVEL: 'warn' });

describe('kitchen-sync-relay token', () => {
  it('prints exactly one token that the relay accepts', async () => {
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    const args = ['token', '--secret-file', secretFile, '--role', 'kitchen', '--outlet', '7'];
    const out = await runCli([
      ...args,
      '--tenant',
      '3',
      '--tenant',
      '4',
      '--ttl',
      '1h',
      '--sub',
      'kds-1',
    ]);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const principal = await createTokenVerifier(SECRET)(lines[0]);
    expect(principal).toEqual({
      sub: 'kds-1',
      role: 'kitchen',
      outletId: '7',
      outlet: '7',
      tenants: ['3', '4'],
      expiresAtMs: expect.any(Number),
    });
  });

  it('exits 2 with usage on bad flags and prints help on --help', async () => {
    expect(
      (await runCli(['token', '--role', 'chef', '--outlet', '1'], { KS_SECRET: 's' })).code,
    ).toBe(2);
    expect((await runCli(['serve'], {})).code).toBe(2);
    expect((await runCli(['--bogus'], { KS_SECRET: 's' })).code).toBe(2);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--retention-hours');
  });
});

describe('serve --watcher-batch-ms', () => {
  const serve = (flags: string[], env: Record<string, string> = {}) =>
    parseCli(['serve', ...flags], { KS_SECRET: SECRET, ...env });

  it('sends POS screens their events in 20 ms batches unless told otherwise; 0 turns it off', () => {
    expect(serve([])).toMatchObject({ options: { watcherBatchMs: 20 } });
    expect(serve(['--watcher-batch-ms', '0'])).toMatchObject({ options: { watcherBatchMs: 0 } });
    expect(serve([], { KS_WATCHER_BATCH_MS: '50' })).toMatchObject({
      options: { watcherBatchMs: 50 },
    });
  });

  it('refuses what is not a whole number of milliseconds up to a second, with a code', () => {
    for (const bad of ['1001', '2.5', 'soon']) {
      expect(() => serve(['--watcher-batch-ms', bad])).toThrow(
        expect.objectContaining({
          code: bad === 'soon' ? 'flag_not_a_number' : 'watcher_batch_ms_invalid',
        }),
      );
    }
  });
});

describe('token --ttl', () => {
  it('reads seconds and whole numbers of s, m, h, d or w, up to the relay’s 400 days', () => {
    expect(['3600', '90s', '90m', '12h', '30d', '8w', '400d'].map(parseTtl)).toEqual([
      3600,
      90,
      5400,
      43_200,
      2_592_000,
      4_838_400,
      MAX_TOKEN_LIFETIME_S,
    ]);
    const parsed = parseCli(['token', '--role', 'pos', '--outlet', '1', '--ttl', '1h'], {
      KS_SECRET: SECRET,
    });
    expect(parsed).toMatchObject({ command: 'token', ttl: 3600 });
  });

  it.each(['30x', '1e9', '0', '0d', '-5', '1.5h', '401d', '58w', '', '12 h'])(
    'refuses --ttl %j as a usage error with token_ttl_invalid',
    (ttl) => {
      const parse = () =>
        parseCli(['token', '--role', 'pos', '--outlet', '1', `--ttl=${ttl}`], {
          KS_SECRET: SECRET,
        });
      expect(parse).toThrow(CliError);
      expect(() => parse()).toThrow(expect.objectContaining({ code: 'token_ttl_invalid' }));
    },
  );

  it('exits 2 on a bad --ttl, with the accepted forms and no stack trace', async () => {
    for (const ttl of ['30x', '0']) {
      const out = await runCli(['token', '--role', 'pos', '--outlet', '1', '--ttl', ttl], {
        KS_SECRET: SECRET,
      });
      expect([out.code, out.stdout]).toEqual([2, '']);
      expect(out.stderr).toContain('[token_ttl_invalid]');
      expect(out.stderr).toContain('30d');
      expect(out.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
    const out = await runCli(['token', '--role', 'pos', '--outlet', '1', '--ttl', '90m'], {
      KS_SECRET: SECRET,
    });
    const { exp, iat } = decodeJwt(out.stdout.trim());
    expect(exp! - iat!).toBe(5400);
  });
});

describe('token length', () => {
  it('refuses to print a token longer than the socket handshake accepts', async () => {
    const tenants = Array.from({ length: 600 }, (_, i) => ['--tenant', String(i + 1)]).flat();
    const out = await runCli(['token', '--role', 'monitor', '--outlet', '1', ...tenants], {
      KS_SECRET: SECRET,
    });
    expect([out.code, out.stdout]).toEqual([2, '']);
    expect(out.stderr).toContain('[token_too_long]');
    expect(out.stderr).toContain(String(LIMITS.TOKEN_MAX_LENGTH));
  });
});

describe('weak secrets and kitchen-sync-relay secret', () => {
  it('token warns on stderr about a secret under 32 bytes, and still prints the token', async () => {
    const weak = await runCli(['token', '--role', 'pos', '--outlet', '1'], { KS_SECRET: 'a' });
    expect(weak.code).toBe(0);
    expect(weak.stdout.trim().split('.')).toHaveLength(3);
    expect(weak.stderr).toMatch(/warning: the token secret is only 1 bytes/);
    expect(weak.stderr).toContain('kitchen-sync-relay secret');
    const strong = await runCli(['token', '--role', 'pos', '--outlet', '1'], { KS_SECRET: SECRET });
    expect([strong.code, strong.stderr]).toEqual([0, '']);
  });

  it('serve logs weak_secret at warn for a short secret and starts all the same', async () => {
    const relay = await startCli([], { ...env(), KS_SECRET: 'short' });
    expect((await http(relay.url, '/health')).status).toBe(200);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const warning = relay
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"weak_secret"'))
      .map((line) => JSON.parse(line));
    expect(warning).toMatchObject([{ level: 40, code: 'weak_secret' }]);
  });

  it('secret prints a new 32-byte secret, or writes it once to --secret-file (0600)', async () => {
    const printed = await runCli(['secret']);
    expect(printed.code).toBe(0);
    expect(Buffer.from(printed.stdout.trim(), 'base64url')).toHaveLength(32);

    const file = join(dir, 'relay.secret');
    expect((await runCli(['secret', '--secret-file', file])).code).toBe(0);
    const secret = readFileSync(file, 'utf8');
    expect(Buffer.from(secret.trim(), 'base64url')).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await runCli(['secret', '--secret-file', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[secret_file_exists]');
    expect(readFileSync(file, 'utf8')).toBe(secret);
    const token = await runCli(['token', '--secret-file', file, '--role', 'pos', '--outlet', '1']);
    expect([token.code, token.stderr]).toEqual([0, '']);
  });
});

describe('kitchen-sync-relay serve', () => {
  it('prints its ready line, answers /health and exits 0 on SIGTERM after flushing', async () => {
    const relay = await startCli([], env());
    expect((await http(relay.url, '/health')).body).toMatchObject({
      status: 'ok',
      store: 'sqlite',
    });
    const pos = await connected(relay.url, { token: await tokenFor('pos') });
    expect(await pos.request('order:publish', order())).toMatchObject({ ok: true, seq: 1 });
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const again = await startCli([], env());
    expect((await http(again.url, '/health')).body.head_seq).toBe(1);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('loses no acknowledged order when SIGKILLed mid-stream', async () => {
    const first = await startCli([], env());
    const pos = await connected(first.url, { token: await tokenFor('pos') });
    const acked = new Map<string, number>();
    const total = 400;
    const orders = Array.from({ length: total }, () => order());
    let killed = false;
    await new Promise<void>((resolve) => {
      let settled = 0;
      for (const o of orders) {
        pos.socket.timeout(5_000).emit('order:publish', o, (err: unknown, ack: PublishAck) => {
          if (!err && ack.ok) acked.set(o.order_id, ack.seq);
          if (!killed && acked.size >= 100) {
            killed = true;
            first.child.kill('SIGKILL');
          }
          if (++settled === total) resolve();
        });
      }
    });
    expect(await first.exited).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(100);

    const second = await startCli([], env());
    const admin = await tokenFor('admin');
    const stored: EventsResponse['events'] = [];
    let since = 0;
    let epoch = '';
    for (;;) {
      const page = (
        await http(second.url, `/api/events?since=${since}&limit=1000`, { token: admin })
      ).body as EventsResponse;
      epoch = page.epoch;
      stored.push(...page.events);
      if (page.events.length === 0) break;
      since = page.last_seq;
    }
    const seqOf = new Map(stored.map((e) => [e.order_id, e.seq]));
    for (const [orderId, seq] of acked) expect(seqOf.get(orderId)).toBe(seq);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));

    const kitchenAuth = { token: await tokenFor('kitchen'), since: 50, epoch };
    const resumed = client(second.url, kitchenAuth);
    const head = stored.length;
    await resumed.waitFor((r) => r.some((x) => x.name === 'sync:caught_up'));
    expect(resumed.events().map((e) => e.seq)).toEqual(
      Array.from({ length: head - 50 }, (_, i) => i + 51),
    );
    const pos2 = await connected(second.url, { token: await tokenFor('pos') });
    expect(await pos2.request('order:publish', order())).toEqual({
      ok: true,
      seq: head + 1,
      duplicate: false,
    });
    const replay = orders.find((o) => acked.has(o.order_id))!;
    expect(await pos2.request('order:publish', replay)).toEqual({
      ok: true,
      seq: acked.get(replay.order_id),
      duplicate: true,
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
