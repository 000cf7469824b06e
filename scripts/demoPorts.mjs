import { createServer } from 'node:net';

// The variable that moves each demo port (docs/getting-started.md lists them).
const PORT_VARIABLES = {
  relay: 'RELAY_PORT',
  central: 'CENTRAL_PORT',
  kiosk: 'KIOSK_PORT',
  kitchen: 'KITCHEN_PORT',
  pickup: 'PICKUP_PORT',
};

/** Resolves true when something else already listens on `port` at `host`. */
function taken(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => resolve(error.code === 'EADDRINUSE'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/**
 * Checks the demo's ports before anything starts, so a port another program holds stops the
 * demo with one line naming the variable to change, not with a server's stack trace halfway
 * through (central died on EADDRINUSE after the relay had started). Returns that line, or null.
 */
export async function portsProblem(ports, host, names = Object.keys(ports)) {
  const busy = [];
  for (const name of names) {
    if (await taken(ports[name], host)) busy.push(name);
  }
  if (busy.length === 0) return null;
  const list = busy.map((name) => `${ports[name]} (${name})`).join(', ');
  const fix = busy.map((name) => `${PORT_VARIABLES[name]}=<free port>`).join(' ');
  return `port ${list} already in use by another program: stop it, or start the demo with ${fix} pnpm start`;
}
