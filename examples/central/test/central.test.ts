import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { type Central, startCentral } from '../src/central';
import { DeviceTokens } from '../src/deviceTokens';

const ORDER = {
  order_id: '01a1fca9-edaa-7297-910b-76b718ddf709',
  order_number: 'OFF-1795240000000-T2',
  outlet_id: 1,
  tenant_id: 2,
  status: 'pending',
  items: [{ product_id: 201, name: 'Bakso Urat', quantity: 2, price: '25000' }],
  total_amount: '50000',
  created_at: '2026-11-21T06:00:00.000Z',
};

const RELAY_SECRET = 'test-secret';
let central: Central;
/** The clock central reads (ms): tests move it to age the log. */
let clock: number;

beforeEach(async () => {
  clock = Date.parse('2026-11-21T06:00:00Z');
  central = await startCentral({
    port: 0,
    relaySecret: RELAY_SECRET,
    socketSecret: 'test-socket-secret',
    relayPort: 3999,
    now: () => new Date(clock),
  });
});

afterEach(async () => {
  await central.close();
});

interface Row {
  id: number;
  tenant_id: number;
  category_id?: number;
  price?: string;
  deleted?: boolean;
}

interface Page {
  items: Row[];
  current_version: number;
  has_more: boolean;
}

interface Settings {
  relay_url: string;
  relay_token: string;
  websocket_url: string;
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${central.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

function postGroup(key: string | null, body: unknown) {
  return fetch(`${central.url}/api/public/order-groups/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(key ? { 'Idempotency-Key': key } : {}),
    },
    body: JSON.stringify(body),
  });
}

/**
 * The outlet socket as a screen opens it: the settings' `websocket_url` (with its token), for a
 * kitchen of `tenant` or, without one, a POS; `query` adds to it (`since=3`).
 */
async function openOutletSocket(
  query: string,
  tenant?: number,
): Promise<{ socket: WebSocket; frames: unknown[] }> {
  const settings = await getJson<Settings>(
    `/api/tenants/outlets/1/${tenant ? `?tenant=${tenant}` : ''}`,
  );
  const url = new URL(settings.body.websocket_url);
  for (const [name, value] of new URLSearchParams(query)) url.searchParams.set(name, value);
  return openSocket(url.toString());
}

async function openSocket(url: string): Promise<{ socket: WebSocket; frames: unknown[] }> {
  const socket = new WebSocket(url);
  const frames: unknown[] = [];
  socket.on('message', (raw) => frames.push(JSON.parse(raw.toString())));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, frames };
}

describe('master data', () => {
  test('pages by version until has_more is false, ending at current_version', async () => {
    const seen = new Map<number, Row>();
    let since = 0;
    let pages = 0;
    for (;;) {
      const { body } = await getJson<Page>(`/api/products/?since_version=${since}&limit=7`);
      pages += 1;
      for (const item of body.items) seen.set(item.id, item);
      expect(body.current_version).toBeGreaterThan(since);
      since = body.current_version;
      if (!body.has_more) break;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBe(33);
    expect(seen.get(111)?.deleted).toBe(true);
    expect(seen.get(101)?.deleted).toBeUndefined();
    const { body: tail } = await getJson<Page>(`/api/products/?since_version=${since}`);
    expect(tail).toEqual({ items: [], current_version: since, has_more: false });
  });

  test('prices are decimal strings and every product has a category of its tenant', async () => {
    const [{ body: products }, { body: categories }] = await Promise.all([
      getJson<Page>('/api/products/?limit=500'),
      getJson<Page>('/api/categories/'),
    ]);
    const tenantOf = new Map<number | undefined, number>(
      categories.items.map((c) => [c.id, c.tenant_id]),
    );
    for (const product of products.items) {
      expect(product.price).toMatch(/^\d+$/);
      expect(tenantOf.get(product.category_id)).toBe(product.tenant_id);
    }
  });
});

describe('outlet settings', () => {
  test('a kitchen gets a relay token scoped to its tenant; a POS one for the outlet', async () => {
    const kitchen = await getJson<Settings>('/api/tenants/outlets/1/?tenant=2');
    const pos = await getJson<Settings>('/api/tenants/outlets/1/');
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(kitchen.body.relay_url).toBe('http://127.0.0.1:3999');
    expect(claims(kitchen.body.relay_token)).toMatchObject({
      role: 'kitchen',
      outlet: 1,
      tenants: [2],
    });
    expect(claims(pos.body.relay_token)).toMatchObject({ role: 'pos', outlet: 1 });
    expect(claims(pos.body.relay_token).tenants).toBeUndefined();
    // Each socket URL carries its device's socket token, as Django's settings view hands it
    // out: the relay token's claims, signed with central's own secret.
    const posSocket = new URL(pos.body.websocket_url);
    expect(`${posSocket.origin}${posSocket.pathname}`).toMatch(
      /^ws:\/\/127\.0\.0\.1:\d+\/ws\/outlet\/1\/$/,
    );
    const posSocketToken = posSocket.searchParams.get('token')!;
    expect(posSocketToken).not.toBe(pos.body.relay_token);
    expect(claims(posSocketToken)).toMatchObject({ role: 'pos', outlet: 1, sub: 'pos-all' });
    const kitchenSocket = new URL(kitchen.body.websocket_url);
    expect(claims(kitchenSocket.searchParams.get('token')!)).toMatchObject({
      role: 'kitchen',
      outlet: 1,
      tenants: [2],
    });
    expect(kitchenSocket.searchParams.get('tenant')).toBe('2');
  });

  test('an unknown outlet is not_found', async () => {
    const { status, body } = await getJson<{ error: { code: string } }>('/api/tenants/outlets/99/');
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});

describe('order groups', () => {
  test('the same Idempotency-Key twice returns the first answer and books once', async () => {
    const first = await postGroup('key-1', { outlet_id: 1, orders: [ORDER] });
    const again = await postGroup('key-1', { outlet_id: 1, orders: [ORDER] });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    expect(central.orderGroups).toHaveLength(1);
    expect(central.orderPostCount).toBe(2);
  });

  test('bad input is invalid_payload and books nothing', async () => {
    const cases: Array<[string | null, unknown]> = [
      [null, { outlet_id: 1, orders: [ORDER] }],
      ['k-empty', { outlet_id: 1, orders: [] }],
      ['k-item', { outlet_id: 1, orders: [{ ...ORDER, items: [] }] }],
      ['k-outlet', { outlet_id: 2, orders: [ORDER] }],
      ['k-money', { outlet_id: 1, orders: [{ ...ORDER, total_amount: 50000 }] }],
    ];
    for (const [key, body] of cases) {
      const response = await postGroup(key, body);
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('invalid_payload');
    }
    expect(central.orderGroups).toHaveLength(0);
  });

  test('a booked group is pushed on ws/outlet/{id}/ as { event, data, seq }; ping gets pong', async () => {
    const { socket, frames } = await openOutletSocket('');
    socket.send(JSON.stringify({ type: 'ping' }));
    await postGroup('key-ws', { outlet_id: 1, orders: [ORDER] });
    await expect.poll(() => frames.length, { timeout: 5_000 }).toBe(3);
    expect(frames[0]).toEqual({ type: 'caught_up', seq: 0 });
    expect(frames).toContainEqual(expect.objectContaining({ type: 'pong' }));
    expect(frames).toContainEqual({ event: 'new_order', data: ORDER, seq: 1 });
    socket.close();
  });
});

describe('outlet socket resume (?since=, as the Django consumer)', () => {
  const order = (n: number, tenant: number) => ({
    ...ORDER,
    order_id: `01a1fca9-edaa-7297-910b-76b718ddf7${String(n).padStart(2, '0')}`,
    order_number: `OFF-${n}`,
    tenant_id: tenant,
  });

  async function book(n: number, tenant: number) {
    const response = await postGroup(`key-${n}`, { outlet_id: 1, orders: [order(n, tenant)] });
    expect(response.status).toBe(201);
  }

  const events = (frames: unknown[]) =>
    frames.filter((frame) => (frame as { event?: string }).event === 'new_order');

  test('a screen that reconnects with its last seq gets what it missed, in order, then caught_up', async () => {
    const first = await openOutletSocket('');
    await book(1, 2);
    await expect.poll(() => events(first.frames).length, { timeout: 5_000 }).toBe(1);
    first.socket.close();
    await book(2, 2);
    await book(3, 3);

    const again = await openOutletSocket('since=1');
    await expect.poll(() => again.frames.length, { timeout: 5_000 }).toBe(3);

    expect(again.frames).toEqual([
      { event: 'new_order', data: order(2, 2), seq: 2 },
      { event: 'new_order', data: order(3, 3), seq: 3 },
      { type: 'caught_up', seq: 3 },
    ]);
    await book(4, 2);
    await expect.poll(() => again.frames.length, { timeout: 5_000 }).toBe(4);
    expect(again.frames[3]).toEqual({ event: 'new_order', data: order(4, 2), seq: 4 });
    again.socket.close();
  });

  test("a tenant's kitchen is replayed its own tenant's events only", async () => {
    await book(1, 2);
    await book(2, 3);
    await book(3, 2);

    const kitchen = await openOutletSocket('since=0', 2);
    await expect.poll(() => kitchen.frames.length, { timeout: 5_000 }).toBe(3);

    expect(kitchen.frames.map((frame) => (frame as { seq: number }).seq)).toEqual([1, 3, 3]);
    expect(kitchen.frames[2]).toEqual({ type: 'caught_up', seq: 3 });
    kitchen.socket.close();
  });

  test('an unreadable cursor is refused with invalid_payload and close code 4400', async () => {
    const bad = await openOutletSocket('since=-3');
    const code = await new Promise<number>((resolve) => bad.socket.once('close', resolve));

    expect(code).toBe(4400);
    expect(bad.frames).toEqual([
      expect.objectContaining({ type: 'error', code: 'invalid_payload' }),
    ]);
  });
});

describe('outlet socket scope (the token, as the Django consumer)', () => {
  const closeCode = (socket: WebSocket) =>
    new Promise<number>((resolve) => socket.once('close', resolve));

  test("a kitchen's socket never carries another tenant's order, live or replayed", async () => {
    const bakso = await openOutletSocket('since=0', 2);
    const other = await openOutletSocket('since=0', 3);
    await postGroup('key-scope', {
      outlet_id: 1,
      orders: [ORDER, { ...ORDER, order_id: '01a1fca9-edaa-7297-910b-76b718ddf7aa', tenant_id: 3 }],
    });
    await expect.poll(() => bakso.frames.length, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => other.frames.length, { timeout: 5_000 }).toBe(2);
    // Without `?tenant=` the kitchen's token alone still scopes it, replay included.
    const settings = await getJson<Settings>('/api/tenants/outlets/1/?tenant=2');
    const url = new URL(settings.body.websocket_url);
    url.searchParams.delete('tenant');
    url.searchParams.set('since', '0');
    const tokenOnly = await openSocket(url.toString());
    await expect.poll(() => tokenOnly.frames.length, { timeout: 5_000 }).toBe(2);

    const tenants = (frames: unknown[]) =>
      frames.flatMap((f) =>
        (f as { event?: string }).event
          ? [(f as { data: { tenant_id: number } }).data.tenant_id]
          : [],
      );
    expect(tenants(bakso.frames)).toEqual([2]);
    expect(tenants(other.frames)).toEqual([3]);
    expect(tenants(tokenOnly.frames)).toEqual([2]);
    for (const s of [bakso, other, tokenOnly]) s.socket.close();
  });

  test("a kitchen's token asking for another tenant is refused with 4403, nothing sent", async () => {
    const settings = await getJson<Settings>('/api/tenants/outlets/1/?tenant=2');
    const url = new URL(settings.body.websocket_url);
    url.searchParams.set('tenant', '3');
    await postGroup('key-forbidden', { outlet_id: 1, orders: [{ ...ORDER, tenant_id: 3 }] });
    const { socket, frames } = await openSocket(url.toString());
    expect(await closeCode(socket)).toBe(4403);
    expect(frames).toEqual([]);
  });

  test('no token, or a forged one, is refused with 4401', async () => {
    const base = `${central.url.replace('http', 'ws')}/ws/outlet/1/`;
    const forged = await new DeviceTokens('not-the-secret').mint({
      role: 'pos',
      outletId: 1,
      sub: 'intruder',
      ttlSeconds: 60,
    });
    for (const url of [base, `${base}?token=${forged}`]) {
      const { socket, frames } = await openSocket(url);
      expect(await closeCode(socket)).toBe(4401);
      expect(frames).toEqual([]);
    }
  });
});

describe('the pickup board (?role=board, as the Django consumer)', () => {
  const GUEST = { customer_name: 'Budi Santoso', customer_phone: '+62-811-5550', notes: 'ring' };

  test("gets board tokens, and every order on its socket without the guests' data", async () => {
    const settings = await getJson<Settings>('/api/tenants/outlets/1/?role=board&device=pickup');
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims(settings.body.relay_token)).toMatchObject({ role: 'board', sub: 'pickup' });
    const socketUrl = new URL(settings.body.websocket_url);
    await postGroup('key-board-1', { outlet_id: 1, orders: [{ ...ORDER, ...GUEST }] });
    // Without a cursor (open orders), with one (replay), and live.
    socketUrl.searchParams.set('since', '0');
    const replayed = await openSocket(socketUrl.toString());
    socketUrl.searchParams.delete('since');
    const fresh = await openSocket(socketUrl.toString());
    const second = { ...ORDER, order_id: '01a1fca9-edaa-7297-910b-76b718ddf7bb', ...GUEST };
    await postGroup('key-board-2', { outlet_id: 1, orders: [second] });
    const orders = (frames: unknown[]) =>
      frames.flatMap((f) =>
        (f as { event?: string }).event ? [(f as { data: unknown }).data] : [],
      );
    await expect.poll(() => orders(replayed.frames).length, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => orders(fresh.frames).length, { timeout: 5_000 }).toBe(2);
    for (const { frames } of [replayed, fresh]) {
      expect(orders(frames)).toContainEqual(expect.objectContaining({ order_id: second.order_id }));
      for (const secret of ['Budi', '+62', 'ring', 'Bakso']) {
        expect(JSON.stringify(frames)).not.toContain(secret);
      }
    }
    // A staff screen (a POS here) still gets the whole order.
    const pos = await openOutletSocket('since=0');
    await expect.poll(() => JSON.stringify(pos.frames), { timeout: 5_000 }).toContain('Budi');
    for (const s of [replayed, fresh, pos]) s.socket.close();
  });
});

describe("outlet socket tokens (central's own secret, as Django's SOCKET_TOKEN_SECRET)", () => {
  test("a token signed with the relay's secret is refused with 4401: a relay cannot mint one", async () => {
    // What an outlet's relay PC, which holds the relay secret, could mint for itself.
    const relayMinted = await new DeviceTokens(RELAY_SECRET).mint({
      role: 'pos',
      outletId: 1,
      sub: 'another-outlets-relay',
      ttlSeconds: 60,
    });
    await postGroup('key-relay-token', { outlet_id: 1, orders: [ORDER] });
    const { socket, frames } = await openSocket(
      `${central.url.replace('http', 'ws')}/ws/outlet/1/?token=${relayMinted}`,
    );
    expect(await new Promise<number>((resolve) => socket.once('close', resolve))).toBe(4401);
    expect(frames).toEqual([]);
  });

  test("the relay token of the settings is not a socket token, and the socket's opens", async () => {
    const settings = await getJson<Settings>('/api/tenants/outlets/1/');
    const url = new URL(settings.body.websocket_url);
    url.searchParams.set('token', settings.body.relay_token);
    const refused = await openSocket(url.toString());
    expect(await new Promise<number>((resolve) => refused.socket.once('close', resolve))).toBe(
      4401,
    );
    const opened = await openSocket(settings.body.websocket_url);
    await expect
      .poll(() => opened.frames, { timeout: 5_000 })
      .toEqual([{ type: 'caught_up', seq: 0 }]);
    opened.socket.close();
  });

  test('central refuses to start with the relay secret as its socket secret', async () => {
    await expect(
      startCentral({ port: 0, relaySecret: 'same', socketSecret: 'same' }),
    ).rejects.toMatchObject({ code: 'socket_secret_shared' });
  });
});

describe('outlet socket without a cursor (open orders, as the Django consumer)', () => {
  const order = (n: number, tenant: number) => ({
    ...ORDER,
    order_id: `01a1fca9-edaa-7297-910b-76b718ddf8${String(n).padStart(2, '0')}`,
    order_number: `OFF-${n}`,
    tenant_id: tenant,
  });

  async function book(n: number, tenant: number) {
    const response = await postGroup(`open-${n}`, { outlet_id: 1, orders: [order(n, tenant)] });
    expect(response.status).toBe(201);
  }

  async function framesUntilCaughtUp(query: string, tenant?: number) {
    const opened = await openOutletSocket(query, tenant);
    await expect
      .poll(() => opened.frames.some((f) => (f as { type?: string }).type === 'caught_up'), {
        timeout: 5_000,
      })
      .toBe(true);
    opened.socket.close();
    return opened.frames;
  }

  test('gets the open orders, { event, data } without seq, before caught_up', async () => {
    await book(1, 2);
    await book(2, 3);

    expect(await framesUntilCaughtUp('')).toEqual([
      { event: 'new_order', data: order(1, 2) },
      { event: 'new_order', data: order(2, 3) },
      { type: 'caught_up', seq: 2 },
    ]);
  });

  test("a kitchen's gets its own tenant's open orders only", async () => {
    await book(1, 2);
    await book(2, 3);
    await book(3, 2);

    expect(await framesUntilCaughtUp('', 2)).toEqual([
      { event: 'new_order', data: order(1, 2) },
      { event: 'new_order', data: order(3, 2) },
      { type: 'caught_up', seq: 3 },
    ]);
  });

  test('a cursor past the head (another log) is reset: the open orders, no replay; one in the log gets the log', async () => {
    await book(1, 2);
    await book(2, 2);

    expect(await framesUntilCaughtUp('since=40')).toEqual([
      { type: 'reset', seq: 2 },
      { event: 'new_order', data: order(1, 2) },
      { event: 'new_order', data: order(2, 2) },
      { type: 'caught_up', seq: 2 },
    ]);
    expect(await framesUntilCaughtUp('since=1')).toEqual([
      { event: 'new_order', data: order(2, 2), seq: 2 },
      { type: 'caught_up', seq: 2 },
    ]);
  });

  test('orders whose latest event is older than 12 hours are not sent', async () => {
    await book(1, 2);
    clock += 12 * 60 * 60 * 1000 - 1;
    await book(2, 2);
    clock += 2;

    expect(await framesUntilCaughtUp('')).toEqual([
      { event: 'new_order', data: order(2, 2) },
      { type: 'caught_up', seq: 2 },
    ]);
  });
});

describe('outage switch', () => {
  test('down refuses connections on the same port; up serves again', async () => {
    await central.setOutage(true);
    await expect(fetch(`${central.url}/health`)).rejects.toThrow();
    await central.setOutage(false);
    expect((await getJson<{ status: string }>('/health')).body.status).toBe('ok');
  });
});
