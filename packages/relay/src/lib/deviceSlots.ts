/**
 * What each device holds open at once (its sockets, or its waiting long polls) against a cap,
 * so one device (a token every screen shares, a PWA stuck in a reconnect loop, a hostile insider
 * at a food court) cannot take every slot of the relay's global cap and lock the others out.
 */
/**
 * A screen holds one socket per open tab, and a connection dropped without a close (Wi-Fi
 * roaming) keeps its slot until the heartbeat notices, up to 15 s: four tabs of one kitchen
 * reconnecting every 3 s through a bad minute hold ~24 (16 locked them out in an audit), while
 * one device still takes under 2 % of the default 2,000 slots.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_DEVICE = 32;

export interface DeviceSlots {
  /**
   * A slot for `device`, as the function that gives it back (once; later calls do nothing), or
   * `null` when the device already holds `max`. With `max` 0 there is no cap and nothing is kept.
   */
  take(device: string): (() => void) | null;
}

const noCap = () => undefined;

export function createDeviceSlots(max: number): DeviceSlots {
  const held = new Map<string, number>();
  return {
    take(device) {
      if (max <= 0) return noCap;
      const count = held.get(device) ?? 0;
      if (count >= max) return null;
      held.set(device, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(device) ?? 1) - 1;
        // Gone devices leave no entry: the map holds only devices with something open.
        if (left > 0) held.set(device, left);
        else held.delete(device);
      };
    },
  };
}
