import type { Demo } from './demo';

/**
 * Sends a command to the relay's HTTP API with the outlet's token, as a POS does (the
 * cashier's cancel, a publish with what a kiosk cannot enter); returns the relay's answer.
 */
export async function sendAsPos(d: Demo, type: string, payload: unknown): Promise<Response> {
  return fetch(`${d.relay.url}/api/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await outletToken(d)}`,
    },
    body: JSON.stringify({ type, payload }),
  });
}

async function outletToken(d: Demo): Promise<string> {
  const settings = (await (await fetch(`${d.central.url}/api/tenants/outlets/1/`)).json()) as {
    relay_token: string;
  };
  return settings.relay_token;
}

/** One change the relay stored for an order: its type and the order's status after it. */
export interface StoredChange {
  type: string;
  status: string;
  lines: string[];
}

/** What the relay stored for `orderId` (its log, read over HTTP), oldest first. */
export async function storedChanges(d: Demo, orderId: string): Promise<StoredChange[]> {
  const response = await fetch(`${d.relay.url}/api/events?outlet_id=1&since=0&limit=1000`, {
    headers: { authorization: `Bearer ${await outletToken(d)}` },
  });
  const body = (await response.json()) as {
    events: {
      type: string;
      order_id: string;
      data: { status: string; items?: { status?: string }[] };
    }[];
  };
  return body.events
    .filter((e) => e.order_id === orderId)
    .map((e) => ({
      type: e.type,
      status: e.data.status,
      lines: (e.data.items ?? []).map((line) => line.status ?? ''),
    }));
}

/** One event of the relay's log, as `GET /api/events` lists it. */
export interface LoggedEvent {
  seq: number;
  type: string;
  order_id?: string;
}

/**
 * The relay's log after `since`, as soon as it has an event past it (its long poll), or none
 * after `waitMs` (at most 30 s).
 */
export async function eventsAfter(
  d: Demo,
  since = 0,
  waitMs = 0,
): Promise<{ events: LoggedEvent[]; last_seq: number }> {
  const query = `outlet_id=1&since=${since}&limit=1000&wait=${waitMs}`;
  const response = await fetch(`${d.relay.url}/api/events?${query}`, {
    headers: { authorization: `Bearer ${await outletToken(d)}` },
  });
  return (await response.json()) as { events: LoggedEvent[]; last_seq: number };
}
