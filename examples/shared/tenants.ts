export interface Tenant {
  id: number | string;
  name: string;
}

const KEY = 'kitchen-sync-demo:tenants';

/** The food court's tenants from central, or the last list seen when central is unreachable. */
export async function loadTenants(centralUrl: string): Promise<Tenant[]> {
  try {
    const response = await fetch(`${centralUrl}/api/tenants/`, {
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`tenants answered ${response.status}`);
    const tenants = (await response.json()) as Tenant[];
    localStorage.setItem(KEY, JSON.stringify(tenants));
    return tenants;
  } catch {
    try {
      return JSON.parse(localStorage.getItem(KEY) ?? '[]') as Tenant[];
    } catch {
      return [];
    }
  }
}
