/**
 * `pnpm bench:catchup`: how long kitchen screens take to catch up after a relay outage.
 * A real relay process (SQLite, 127.0.0.1) and `--clients` socket services (default 20; real
 * socket.io-client, polling fallback, default options). For each outage the relay is killed
 * (SIGKILL), kept down that long in real time (backoff needs it), started again on the same
 * port and data dir, and a POS publishes one order at once: a screen has caught up when that
 * order reaches it. Outages 10 s and 60 s; `--long` adds 5 min; `--outages 10,60,300` sets them.
 * Prints p50 / p99 / max per outage and what the fleet sent to the relay while it was down.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeOrder } from '../test/unit/fakes/orders.js';
import { Fleet } from './catchup/fleet.js';
import { type RelayProcess, startRelayProcess } from './client/relayProcess.js';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const clients = Number(option('--clients')) || 20;
const outages = (option('--outages') ?? (argv.includes('--long') ? '10,60,300' : '10,60'))
  .split(',')
  .map((s) => Number(s) * 1_000);
const GIVE_UP_MS = 60_000;
const TARGET_P99_MS = 3_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

async function main(): Promise<void> {
  const relay = await startRelayProcess();
  try {
    await measure(relay);
  } finally {
    await relay.close();
  }
}

async function measure(relay: RelayProcess): Promise<void> {
  // One at a time: twenty CLI processes at once time out on a busy two-core machine.
  const tokens: string[] = [];
  for (let i = 0; i < clients; i++) {
    tokens.push(await relay.token({ role: 'kitchen', sub: `kitchen-${i}`, tenants: [1] }));
  }
  const posToken = await relay.token({ role: 'pos', sub: 'catchup-pos' });
  const fleet = new Fleet(relay.url, tokens);
  const publish = async (): Promise<string> => {
    const order = makeOrder({ tenant_id: 1, outlet_id: 1 });
    fleet.watch(order.order_id);
    const response = await fetch(`${relay.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${posToken}` },
      body: JSON.stringify({ type: 'order:publish', payload: order }),
    });
    if (!response.ok) throw new Error(`publish failed: ${response.status}`);
    return order.order_id;
  };

  const rows: string[] = [];
  try {
    fleet.start();
    if (!(await until(() => fleet.connected() === clients, 30_000))) {
      throw new Error(`only ${fleet.connected()} of ${clients} screens connected`);
    }
    // Warm-up: every screen has received one order live, so the cursor has an epoch.
    await publish();
    await until(() => fleet.screens.every((s) => s.seen), 10_000);

    for (const outage of outages) {
      await relay.kill();
      fleet.resetAttempts();
      await sleep(outage);
      const during = { ...fleet.attempts };
      await relay.restart();
      const back = performance.now();
      await publish();
      await until(() => fleet.screens.every((s) => s.seen), GIVE_UP_MS);
      const times = fleet.screens
        .map((s) => (s.seen ? s.seen.at - back : Number.POSITIVE_INFINITY))
        .sort((a, b) => a - b);
      const polled = fleet.screens.filter((s) => s.seen?.source === 'poll').length;
      const perClientMinute = (n: number) => ((n / clients / outage) * 60_000).toFixed(1);
      const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'never');
      const p99 = percentile(times, 99);
      rows.push(
        `| ${outage / 1_000} s | ${ms(percentile(times, 50))} | ${ms(p99)} ${p99 <= TARGET_P99_MS ? '✔' : '✘'} | ${ms(times.at(-1) ?? NaN)} | ${clients - polled} / ${polled} | ${perClientMinute(during.sockets)} / ${perClientMinute(during.polls)} / ${perClientMinute(during.probes)} |`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
      // Back to a steady state before the next outage.
      await until(() => fleet.connected() === clients, 30_000);
    }
  } finally {
    fleet.stop();
  }

  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  process.stdout.write(
    [
      `${clients} screens, ${new Date().toISOString()}, load average ${load}`,
      '',
      '| Outage | p50 | p99 (≤ 3 s) | max | caught up by socket / poll | sent per screen per minute of outage: socket attempts / polls / probes |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
