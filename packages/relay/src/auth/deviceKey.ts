import type { Principal } from './principal.js';

/**
 * The device a principal stands for, as the per-device cap counts it. `sub` is the device (central
 * mints one token per screen with `sub` = its device id; the schema makes it required, so there
 * is always one), taken within its outlet and tenants: two brands' screens that happen to share a
 * name are two devices. Tenants are sorted: `[3, 4]` and `[4, 3]` are one device.
 */
export function deviceKey(principal: Principal): string {
  const tenants = principal.tenants ? [...principal.tenants].sort() : null;
  return JSON.stringify([principal.outlet, tenants, principal.sub]);
}
