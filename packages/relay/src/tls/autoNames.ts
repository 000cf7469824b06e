import { hostname } from 'node:os';
import { assertHostName } from './hostName.js';

/**
 * The names of a `--tls auto` certificate: `localhost` always; the given names, else this
 * machine's mDNS name (`<hostname>.local`) when it is a valid host name. `serve` and `cert`
 * both ask here, so `cert` run beside a relay finds the same names and re-issues nothing.
 */
export function autoNames(
  given: string[] | undefined,
  machine: string = hostname(),
): { names: string[]; invalidMachineName?: string } {
  const names = [...(given ?? [])];
  for (const name of names) assertHostName(name);
  let invalidMachineName: string | undefined;
  if (given === undefined) {
    const own = `${machine.toLowerCase()}.local`;
    try {
      assertHostName(own);
      names.push(own);
    } catch {
      invalidMachineName = machine;
    }
  }
  return {
    names: [...new Set([...names, 'localhost'])],
    ...(invalidMachineName ? { invalidMachineName } : {}),
  };
}
