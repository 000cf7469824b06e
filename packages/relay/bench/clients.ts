import { BenchSocket, type BenchSocketOptions } from './benchSocket.js';

/**
 * Connects every spec, `concurrency` handshakes at a time, each resolved after its
 * `sync:caught_up`; on any failure closes them all. No reconnection: the benchmark measures
 * one steady connection per client and must stop by itself when a relay goes away.
 */
export async function connectAll(
  url: string,
  specs: BenchSocketOptions[],
  concurrency = 50,
): Promise<BenchSocket[]> {
  const sockets: BenchSocket[] = [];
  try {
    for (let i = 0; i < specs.length; i += concurrency) {
      const batch = specs.slice(i, i + concurrency).map((spec) => BenchSocket.connect(url, spec));
      const settled = await Promise.allSettled(batch);
      for (const result of settled) if (result.status === 'fulfilled') sockets.push(result.value);
      const failure = settled.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    }
    return sockets;
  } catch (error) {
    closeAll(sockets);
    throw error;
  }
}

export function closeAll(sockets: BenchSocket[]): void {
  for (const socket of sockets) socket.close();
}
