import type { Server } from 'socket.io';

/** What socket.io-adapter's `_encode` fills in for a broadcast (private API, adapter 2.5). */
interface EncodeOptions {
  wsPreEncodedFrame?: Buffer[];
}

interface EncodingAdapter {
  _encode(packet: unknown, options: EncodeOptions): unknown;
}

type AdapterClass = new (namespace: never) => EncodingAdapter;

/**
 * A broadcast is encoded once into a WebSocket frame (header, payload) that every recipient's
 * socket writes as two chunks: cork, write, write, uncork, one writev. Joined once per event
 * into one buffer, each of the kitchens gets a plain single write instead, which is a good
 * part of the per-delivery JavaScript cost (and deliveries are most of the relay's work).
 * Left alone when the adapter does not have the method (another adapter or version).
 */
export function useSingleWriteFrames(io: Server): void {
  const Base = io.adapter() as unknown as AdapterClass;
  if (typeof Base?.prototype?._encode !== 'function') return;
  class SingleWriteAdapter extends Base {
    override _encode(packet: unknown, options: EncodeOptions): unknown {
      const encoded = super._encode(packet, options);
      const frame = options.wsPreEncodedFrame;
      if (frame?.length === 2) options.wsPreEncodedFrame = [Buffer.concat(frame)];
      return encoded;
    }
  }
  io.adapter(SingleWriteAdapter as unknown as Parameters<Server['adapter']>[0]);
}
