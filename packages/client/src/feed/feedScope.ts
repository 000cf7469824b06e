import { type Id, idKey, type OrderState } from '@kitchen-sync/protocol';

/**
 * The outlet and tenants a kitchen serves (null: not given / every tenant): what its stored
 * orders and cursor were taken under. A tablet moved to another tenant or outlet must neither
 * show the old one's orders nor resume the relay after a cursor that skipped the new one's.
 */
export interface FeedScope {
  outlet: string | null;
  tenants: string[] | null;
}

export function feedScope(outlet: Id | undefined, tenants: readonly Id[] | undefined): FeedScope {
  return {
    outlet: outlet === undefined ? null : idKey(outlet),
    tenants: tenants ? [...new Set(tenants.map(idKey))].sort() : null,
  };
}

/** `held` comes from storage (any shape, or none from versions that did not store it). */
export function sameScope(held: unknown, scope: FeedScope): boolean {
  return JSON.stringify(held) === JSON.stringify(scope);
}

export function inScope(scope: FeedScope, order: Partial<OrderState> | undefined): boolean {
  const key = (id: unknown) => (typeof id === 'string' || typeof id === 'number' ? idKey(id) : '');
  return (
    (scope.outlet === null || key(order?.outlet_id) === scope.outlet) &&
    (scope.tenants === null || scope.tenants.includes(key(order?.tenant_id)))
  );
}
