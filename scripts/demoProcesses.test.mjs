import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { demoProcesses, waitFor } from './demoProcesses.mjs';

const servers = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

async function listening(handler) {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
}

describe('the processes of a demo', () => {
  it('prefixes each output line with the name, and a kill from the keyboard does not stop the demo', async () => {
    const logged = [];
    vi.spyOn(console, 'log').mockImplementation((line) => logged.push(line));
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {});
    const demo = demoProcesses({ root: process.cwd(), env: {} });
    const child = demo.start('relay', process.execPath, [
      '-e',
      "console.log('one\\ntwo'); setInterval(() => {}, 1000)",
    ]);
    await vi.waitFor(() => expect(logged).toEqual(['[relay] one', '[relay] two']));

    expect(demo.kill('relay')).toBe(true);
    await once(child, 'exit');
    expect(logged.at(-1)).toBe('[relay] stopped (SIGKILL)');
    expect(demo.children.has('relay')).toBe(false);
    expect(demo.kill('relay')).toBe(false);
    expect(exit).not.toHaveBeenCalled();
  });

  it('waits for a URL to answer 2xx, and says which one did not in time', async () => {
    let answers = 0;
    const url = await listening((_request, response) => {
      answers++;
      response.statusCode = answers < 2 ? 503 : 200;
      response.end();
    });
    await waitFor(url, 5_000);
    expect(answers).toBe(2);

    const down = await listening((_request, response) => {
      response.statusCode = 503;
      response.end();
    });
    await expect(waitFor(`${down}/health`, 300)).rejects.toThrow(`${down}/health did not answer`);
  });
});
