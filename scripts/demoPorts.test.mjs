import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { portsProblem } from './demoPorts.mjs';

const held = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((server) => new Promise((r) => server.close(r))));
});

/** A port some other program holds. */
async function holdPort() {
  const server = createServer();
  held.push(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

/** A port nobody holds: taken from the OS, then let go. */
async function freePort() {
  const port = await holdPort();
  await new Promise((resolve) => held.pop().close(resolve));
  return port;
}

describe('the demo’s port check', () => {
  it('names each port another program holds and the variable that moves it', async () => {
    const ports = { relay: await freePort(), central: await holdPort(), kiosk: await holdPort() };
    const problem = await portsProblem(ports, '127.0.0.1');
    expect(problem).toContain(`${ports.central} (central), ${ports.kiosk} (kiosk)`);
    expect(problem).toContain('CENTRAL_PORT=<free port> KIOSK_PORT=<free port>');
    expect(problem).not.toContain('relay');
  });

  it('says nothing when the ports are free, and checks only the ones asked for', async () => {
    const ports = { relay: await freePort(), kiosk: await holdPort() };
    expect(await portsProblem(ports, '127.0.0.1', ['relay'])).toBeNull();
    expect(await portsProblem(ports, '127.0.0.1')).toContain('KIOSK_PORT');
  });
});
