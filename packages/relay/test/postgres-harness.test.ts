import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../../test-support/postgres.js';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('test-support/postgres', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it('serves fresh databases on loopback, each empty and separate', async () => {
    const a = await server.createDatabase();
    const b = await server.createDatabase();
    expect(a).not.toBe(b);
    await query(a, 'CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
    expect(await query(a, 'SELECT x FROM t')).toEqual([{ x: 1 }]);
    await expect(query(b, 'SELECT x FROM t')).rejects.toMatchObject({ code: '42P01' });
    expect(await query(a, 'SHOW fsync')).toEqual([{ fsync: 'off' }]);
  });

  it('keeps committed data across a crash and restart on the same port', async () => {
    const url = await server.createDatabase();
    await query(url, 'CREATE TABLE t (x int); INSERT INTO t VALUES (7)');
    const before = server.pid;
    await server.restart('immediate');
    expect(server.pid).not.toBe(before);
    expect(await query(url, 'SELECT x FROM t')).toEqual([{ x: 7 }]);
  });

  it('refuses connections while halted', async () => {
    const url = await server.createDatabase();
    await server.halt();
    expect(server.pid).toBeUndefined();
    await expect(query(url, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.start();
    expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
