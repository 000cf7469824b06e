// Central's downlink view failing (its outlet log unreadable: a broken database) answers
// `500 internal` as JSON, and the relay's `status` tells the cashier's PC that central's web
// orders stopped coming, with that code's advice: look at central's error log.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BridgeHealth } from '@kitchen-sync/protocol';
import { signToken } from '@kitchen-sync/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from './harness/childProcess.js';
import { DjangoStack, RELAY_SECRET } from './harness/djangoStack.js';
import { startRelayCli } from './harness/relayCli.js';
import { pollUntil } from './harness/waitFor.js';

const CLI = fileURLToPath(new URL('../../../packages/relay/dist/cli.js', import.meta.url));

let stack: DjangoStack;
let relay: Child | undefined;

beforeAll(async () => {
  stack = await new DjangoStack().start();
}, 120_000);

afterAll(async () => {
  await relay?.stop('SIGKILL');
  await stack?.stop();
});

async function bridge(url: string) {
  const health = (await (await fetch(`${url}/health`)).json()) as { bridge: BridgeHealth };
  return health.bridge;
}

describe("the relay's status for central's failing downlink", () => {
  it("shows central's 500 as code internal, with the advice to read central's error log", async () => {
    const tokenFile = await stack.writeRelayCredentialFile(1);
    const dataDir = join(stack.dir, 'relay');
    mkdirSync(dataDir);
    const started = await startRelayCli(dataDir, stack.writeSecretFile(), [
      '--central-url',
      stack.url,
      '--central-token-file',
      tokenFile,
    ]);
    relay = started.relay;
    // A polling screen of the credential's outlet lets the downlink start.
    const screen = await signToken(
      RELAY_SECRET,
      { sub: 'kds-1', role: 'kitchen', outlet: 1 },
      '1h',
    );
    const polled = await fetch(`${started.url}/api/events?outlet_id=1&since=0`, {
      headers: { authorization: `Bearer ${screen}` },
    });
    expect(polled.status).toBe(200);
    await pollUntil(
      () => bridge(started.url),
      (b) => b.downlinkState === 'synced',
      10_000,
    );

    await stack.control('outlet-log/', { readable: false });
    const answer = await fetch(`${stack.url}/api/kitchen-sync/relay/downlink/?since=0`, {
      headers: { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` },
    });
    expect(answer.status).toBe(500);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('internal');
    const failing = await pollUntil(
      () => bridge(started.url),
      (b) => b.downlinkLastErrorCode !== null,
      10_000,
    );
    expect(failing.downlinkLastErrorCode).toBe('internal');
    // Only the downlink fails: no advice for the uplink comes first.
    expect(failing.lastErrorCode).toBeNull();

    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'status',
      '--url',
      started.url,
      '--lang',
      'en',
    ]);
    expect(stdout).toContain('  central: everything uploaded\n');
    expect(stdout).toMatch(
      /\n {2}web orders from central: none received since .+ \(backoff, last error internal\)\n/,
    );
    expect(stdout).toContain(
      "\n  what to do: central failed on the relay's request: tell central's administrator to look at central's error log; if it has nothing, see this relay's log file.\n",
    );
    await stack.control('outlet-log/', { readable: true });
  }, 60_000);
});
