import { Writable } from 'node:stream';

/**
 * A destination for a pino logger whose lines the test reads back, parsed: give
 * `destination` to the logger, read `lines`.
 */
export function logLines<T = Record<string, unknown>>(): { destination: Writable; lines: T[] } {
  const lines: T[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { destination, lines };
}
