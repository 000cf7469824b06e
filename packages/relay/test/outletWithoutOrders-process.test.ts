import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, startCli } from './cliProcess.js';
import {
  closeClients,
  connected,
  http,
  order,
  removeTempDirs,
  SECRET,
  tempDir,
  tokenFor,
} from './helpers.js';

afterEach(() => {
  closeClients();
  killAll();
  removeTempDirs();
});

describe("a relay process with a kitchen holding another outlet's token", () => {
  it("shows it to the outlet's admin under other_outlets, and status warns that it gets no orders", async () => {
    const relay = await startCli([], { KS_SECRET: SECRET, KS_DATA_DIR: join(tempDir(), 'data') });
    const pos = await tokenFor('pos', { outlet: 1 });
    const published = await http(relay.url, '/api/events', {
      token: pos,
      body: { type: 'order:publish', payload: order() },
    });
    expect(published.status).toBe(200);
    await connected(relay.url, {
      token: await tokenFor('kitchen', { outlet: 1 }),
      client_id: 'kds-1',
    });
    await connected(relay.url, {
      token: await tokenFor('kitchen', { outlet: 2, sub: 'kds-wrong' }),
      client_id: 'kds-wrong',
    });

    const admin = await http(relay.url, '/clients', { token: await tokenFor('admin') });
    expect(admin.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['kds-1']);
    expect(admin.body.other_outlets).toEqual([
      expect.objectContaining({ client_id: 'kds-wrong', role: 'kitchen', outlet: '2' }),
    ]);
    // A brand's admin (limited to tenants) does not see other outlets' devices.
    const brand = await http(relay.url, '/clients', {
      token: await tokenFor('admin', { tenants: [1] }),
    });
    expect(brand.body.other_outlets).toBeUndefined();

    const health = await http(relay.url, '/health');
    expect(health.body.outlets_without_orders).toEqual({
      logged: ['1'],
      connected: [{ outlet: '2', clients: { kitchen: 1 } }],
    });
    const port = new URL(relay.url).port;
    const en = await runCli(['status', '--port', port, '--lang', 'en']);
    expect(en.stdout).toContain(
      'WARNING: devices connected for outlet 2 (1 kitchen), but this relay has orders only for outlet 1:',
    );
    const id = await runCli(['status', '--port', port, '--lang', 'id']);
    expect(id.stdout).toContain(
      'PERINGATAN: ada perangkat terhubung untuk outlet 2 (1 dapur), tetapi relay ini hanya punya pesanan untuk outlet 1:',
    );
  });
});
