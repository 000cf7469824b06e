import { describe, expect, it } from 'vitest';
import { isOtherTenantsDb, isOtherTenantsSettings, tenantKey } from '../src/movedTablet';

const kept = [tenantKey(1, '2')];

describe('what a kitchen tablet moved to tenant 2 of outlet 1 deletes', () => {
  it("every kitchen database of another tenant or outlet, and none of tenant 2's screens", () => {
    const names = [
      'kitchen-sync-demo-kitchen-1-1',
      'kitchen-sync-demo-kitchen-outbox-1-1-expo',
      'kitchen-sync-demo-kitchen-1-12-station-wok',
      'kitchen-sync-demo-kitchen-2-2',
      'kitchen-sync-demo-kitchen-1-2',
      'kitchen-sync-demo-kitchen-outbox-1-2',
      'kitchen-sync-demo-kitchen-1-2-expo',
      'kitchen-sync-demo-kitchen-outbox-1-2-station-grill+wok',
      'kitchen-sync-demo-kiosk-outbox',
      'kitchen-sync-feed',
    ];
    expect(names.filter((name) => isOtherTenantsDb(name, kept))).toEqual(names.slice(0, 4));
  });

  it("another tenant's cached settings and central's cached answer, which hold its token", () => {
    const keys = [
      'kitchen-sync:outlet-settings:1?tenant=1',
      'http://127.0.0.1:8000/api/tenants/outlets/1/?tenant=3',
      'kitchen-sync:outlet-settings:2?tenant=2',
      'kitchen-sync:outlet-settings:1?tenant=2',
      'http://127.0.0.1:8000/api/tenants/outlets/1/?tenant=2',
      'kitchen-sync:outlet-settings:1',
      'http://127.0.0.1:8000/api/tenants/',
      'kitchen-sync-demo:tenants',
    ];
    expect(keys.filter((key) => isOtherTenantsSettings(key, kept))).toEqual(keys.slice(0, 3));
  });
});
