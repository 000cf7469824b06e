import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { killAll, runCli, startCli } from './cliProcess.js';
import { closeClients, http, refusal, removeTempDirs, SECRET, tempDir } from './helpers.js';

afterEach(() => {
  closeClients();
  killAll();
  removeTempDirs();
});

const kitchen = (secret: string, sub: string, ttl: number | string = '1h') =>
  signToken(secret, { sub, role: 'kitchen', outlet: 1 }, ttl);

/** The log file's lines (the relay writes them as they come; stderr is batched). */
const logLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function until<T>(check: () => T | undefined): Promise<T> {
  for (let tries = 0; tries < 100; tries++) {
    const answer = check();
    if (answer !== undefined) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never got there');
}

describe('a relay process refusing device tokens', () => {
  it('logs each device and reason once a minute with its address, counts them by reason, and status names them', async () => {
    const logFile = join(tempDir(), 'relay.log');
    const relay = await startCli(['--log-file', logFile], {
      KS_SECRET: SECRET,
      KS_DATA_DIR: join(tempDir(), 'data'),
    });
    // A kitchen whose token was signed with another secret, retrying three times.
    const otherSecret = 'another-secret-that-is-long-enough-32';
    const wrong = await kitchen(otherSecret, 'kds-2');
    for (let n = 0; n < 3; n++) {
      expect(await refusal(relay.url, { token: wrong, client_id: 'kds-2' })).toBe('unauthorized');
    }
    // A polling kitchen whose token expired.
    const expired = await kitchen(SECRET, 'kds-3', -120);
    const poll = await http(relay.url, '/api/events?since=0', { token: expired });
    expect(poll.status).toBe(401);

    const refused = await until(() => {
      const lines = logLines(logFile).filter((line) => line.code === 'device_refused');
      return lines.length === 2 ? lines : undefined;
    });
    expect(refused).toEqual([
      expect.objectContaining({
        level: 40,
        reason: 'invalid_signature',
        client_id: 'kds-2',
        address: '127.0.0.1',
        transport: 'socket',
        msg: 'device refused: token is invalid',
      }),
      expect.objectContaining({
        reason: 'token_expired',
        client_id: 'kds-3',
        address: '127.0.0.1',
        transport: 'http',
        msg: 'device refused: token expired',
      }),
    ]);

    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('kitchen_sync_token_refusals_total{reason="invalid_signature"} 3');
    expect(metrics).toContain('kitchen_sync_token_refusals_total{reason="token_expired"} 1');
    expect(metrics).toContain('kitchen_sync_token_refusals_total{reason="token_missing"} 0');

    const health = await http(relay.url, '/health');
    expect(health.body.refused_devices).toEqual([
      expect.objectContaining({ client_id: 'kds-2', reason: 'invalid_signature', count: 3 }),
      expect.objectContaining({ client_id: 'kds-3', reason: 'token_expired', count: 1 }),
    ]);

    const port = new URL(relay.url).port;
    for (const [lang, line] of [
      [
        'en',
        'WARNING: 2 devices refused in the last 10 min: invalid signature (a token of another secret) (kds-2); token expired (kds-3).',
      ],
      [
        'id',
        'PERINGATAN: 2 perangkat ditolak dalam 10 menit terakhir: tanda tangan tidak sah (token dari secret lain) (kds-2); token kedaluwarsa (kds-3).',
      ],
    ] as const) {
      const status = await runCli(['status', '--port', port, '--lang', lang]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(line);
    }
  });
});
