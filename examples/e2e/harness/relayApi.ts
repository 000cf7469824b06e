import type { Demo } from './demo';

/**
 * Sends a command to the relay's HTTP API with the outlet's token, as a POS does (the
 * cashier's cancel, a publish with what a kiosk cannot enter); returns the relay's answer.
 */
export async function sendAsPos(d: Demo, type: string, payload: unknown): Promise<Response> {
  const settings = (await (await fetch(`${d.central.url}/api/tenants/outlets/1/`)).json()) as {
    relay_token: string;
  };
  return fetch(`${d.relay.url}/api/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${settings.relay_token}`,
    },
    body: JSON.stringify({ type, payload }),
  });
}
