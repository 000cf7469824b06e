import type pg from 'pg';
import type { BridgeLog } from '../../bridge/bridgeLog.js';
import type { LogReader } from '../LogReader.js';

/**
 * The bridge's reads on PostgreSQL, on the node's read pool. The cursors are rows of the
 * shared `cursors` table: the node that takes the bridge over resumes from them.
 */
export function postgresBridgeLog(pool: () => pg.Pool, reader: LogReader): BridgeLog {
  return {
    async position(outlet) {
      const { rows } = await pool().query<{ head: number; pruned_through: number }>(
        'SELECT head, pruned_through FROM outlet_heads WHERE outlet = $1',
        [outlet],
      );
      return { head: rows[0]?.head ?? 0, prunedThrough: rows[0]?.pruned_through ?? 0 };
    },
    async envelopeTextsAfter(outlet, since, limit) {
      const { rows } = await pool().query<{ body: string }>(
        'SELECT body FROM events WHERE outlet = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [outlet, since, limit],
      );
      return rows.map((row) => row.body);
    },
    async firstTsAfter(outlet, since) {
      const { rows } = await pool().query<{ ts_ms: number }>(
        'SELECT ts_ms FROM events WHERE outlet = $1 AND seq > $2 ORDER BY seq LIMIT 1',
        [outlet, since],
      );
      return rows[0]?.ts_ms;
    },
    getCursor: (name) => reader.getCursor(name),
    setCursor: (name, value) => reader.setCursor(name, value),
    async hasOrder(orderId) {
      const { rowCount } = await pool().query('SELECT 1 FROM orders WHERE order_id = $1', [
        orderId,
      ]);
      return (rowCount ?? 0) > 0;
    },
    async prunedOrderOutlet(orderId) {
      const { rows } = await pool().query<{ outlet: string }>(
        'SELECT outlet FROM pruned_orders WHERE order_id = $1',
        [orderId],
      );
      return rows[0]?.outlet;
    },
  };
}
