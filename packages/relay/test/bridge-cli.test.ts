import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError, HELP, parseCli } from '../src/cliOptions.js';
import { signToken } from '../src/index.js';
import { createRelay } from '../src/relay.js';
import { closeClients, connected, order, SECRET, tokenFor } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ks-bridge-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// The relay only reads the claims (central checks the signature), so any signature will do.
const jwt = (claims: Record<string, unknown>) =>
  [{ alg: 'HS256', typ: 'JWT' }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .concat('signature')
    .join('.');

async function credentialFile(claims: Record<string, unknown>) {
  const file = join(dir, 'central.token');
  writeFileSync(file, `${jwt(claims)}\n`, { mode: 0o600 });
  return file;
}

function refusal(argv: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    parseCli(['serve', '--secret-file', join(dir, 'secret'), ...argv], env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('parseCli accepted it');
}

describe('--central-url and --central-token-file', () => {
  beforeEach(() => writeFileSync(join(dir, 'secret'), SECRET, { mode: 0o600 }));

  it('read the outlet from the relay credential, from flags or KS_ variables', async () => {
    const file = await credentialFile({ sub: 'relay', role: 'relay', outlet: 7 });
    const parsed = parseCli(['serve', '--secret-file', join(dir, 'secret')], {
      KS_CENTRAL_URL: 'https://central.example.com/base',
      KS_CENTRAL_TOKEN_FILE: file,
    });
    expect(parsed.command === 'serve' && parsed.options.central).toMatchObject({
      url: 'https://central.example.com/base',
      outlet: '7',
    });
    expect(HELP).toMatch(/--central-url URL/);
  });

  it('refuse a device token, a missing file, a bad URL, or one without the other', async () => {
    const device = await credentialFile({ sub: 'pos-1', role: 'pos', outlet: 1 });
    expect(refusal(['--central-url', 'http://c', '--central-token-file', device]).code).toBe(
      'invalid_central_token',
    );
    expect(
      refusal(['--central-url', 'http://c', '--central-token-file', join(dir, 'none')]).message,
    ).toMatch(/cannot read/);
    expect(refusal(['--central-url', 'ftp://c', '--central-token-file', device]).message).toMatch(
      /http/,
    );
    expect(refusal(['--central-url', 'http://c']).message).toMatch(/go together/);
  });
});

describe('/health bridge', () => {
  it('is absent without central and reports the uplink with it', async () => {
    const plain = createRelay({
      secret: SECRET,
      store: 'memory',
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
    });
    const bridged = createRelay({
      secret: SECRET,
      store: 'memory',
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      // Nothing listens there: the first upload fails at once.
      central: { url: 'http://127.0.0.1:1/', token: 'x.y.z', outlet: '1' },
    });
    try {
      const a = await plain.listen();
      const b = await bridged.listen();
      // A screen of the credential's outlet: the downlink pulls only an outlet served here.
      await connected(b.url, { token: await tokenFor('kitchen', { outlet: 1 }) });
      expect(await (await fetch(`${a.url}/health`)).json()).not.toHaveProperty('bridge');
      for (;;) {
        const health = (await (await fetch(`${b.url}/health`)).json()) as {
          bridge: Record<string, unknown>;
        };
        if (health.bridge.state === 'backoff' && health.bridge.downlinkState === 'backoff') {
          expect(health.bridge).toMatchObject({
            pendingEvents: 0,
            lastErrorCode: 'central_unreachable',
            lastSuccessAt: null,
            downlinkCursor: 0,
            downlinkLastErrorCode: 'central_unreachable',
            downlinkLastSuccessAt: null,
          });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const metrics = await (await fetch(`${b.url}/metrics`)).text();
      expect(metrics).toMatch(/kitchen_sync_bridge_state\{state="backoff"\} 1/);
      expect(metrics).toMatch(/kitchen_sync_bridge_pending_events 0/);
      expect(metrics).toMatch(/kitchen_sync_bridge_downlink_state\{state="backoff"\} 1/);
    } finally {
      closeClients();
      await plain.close();
      await bridged.close();
    }
  });
});

describe('retention with a bridge', () => {
  it('keeps the events central has not confirmed past --retention-events', async () => {
    const relay = createRelay({
      secret: SECRET,
      store: 'memory',
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      retentionEvents: 5,
      central: { url: 'http://127.0.0.1:1/', token: 'x.y.z', outlet: '1' },
    });
    try {
      const { url } = await relay.listen();
      const token = await signToken(SECRET, { sub: 'pos-1', role: 'pos', outlet: 1 }, '1h');
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${url}/api/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ type: 'order:publish', payload: order({ tenant_id: 1 }) }),
        });
        expect(response.status).toBe(200);
      }
      expect(relay.store.countEvents()).toBe(20);
      expect(relay.store.prunedThrough('1')).toBe(0);
      const health = (await (await fetch(`${url}/health`)).json()) as {
        bridge: { pendingEvents: number };
      };
      expect(health.bridge.pendingEvents).toBe(20);
    } finally {
      await relay.close();
    }
  });
});
