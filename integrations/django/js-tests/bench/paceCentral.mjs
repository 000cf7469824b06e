// A stand-in for central's two relay endpoints that confirms each upload batch after a fixed
// delay and does no work of its own: the relay's uplink runs at a chosen pace while central's
// CPU stays off the two cores the relay shares with the load generator.
// Usage: node paceCentral.mjs <ms per batch> <port>; prints "listening on http://127.0.0.1:<port>".
import { createServer } from 'node:http';

const delayMs = Number(process.argv[2] ?? 0);
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    response.setHeader('content-type', 'application/json');
    if (request.url?.includes('/relay/downlink/')) {
      response.end(JSON.stringify({ events: [], last_seq: 0, has_more: false }));
      return;
    }
    // The answer needs only the epoch and the last seq: read them without parsing it all.
    const body = Buffer.concat(chunks).toString();
    const epoch = /"epoch":"([^"]*)"/.exec(body)?.[1];
    const seqs = [...body.matchAll(/"seq":(\d+)/g)];
    const lastSeq = Number(seqs.at(-1)?.[1] ?? 0);
    setTimeout(() => response.end(JSON.stringify({ epoch, last_seq: lastSeq })), delayMs);
  });
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
