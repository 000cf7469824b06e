/** The badges both pages show; the `data-testid` texts are stable hooks for scripts and tests. */
export type ConnectionMode = 'connected' | 'polling' | 'disconnected';
export type NetworkMode = 'online' | 'local' | 'offline';

const CONNECTION_LABELS: Record<ConnectionMode, string> = {
  connected: 'Live',
  polling: 'Polling',
  disconnected: 'Disconnected',
};

const NETWORK_LABELS: Record<NetworkMode, string> = {
  online: 'Online',
  local: 'Sync only',
  offline: 'Offline',
};

function badge(element: HTMLElement, mode: string, label: string): void {
  element.dataset.mode = mode;
  element.title = label;
  const code = element.querySelector('[data-testid]');
  const text = element.querySelector('.label');
  if (code) code.textContent = mode;
  if (text) text.textContent = label;
}

export function showConnectionMode(element: HTMLElement, mode: ConnectionMode): void {
  badge(element, mode, CONNECTION_LABELS[mode]);
}

export function showNetworkMode(element: HTMLElement, mode: NetworkMode): void {
  badge(element, mode, NETWORK_LABELS[mode]);
}

export function rupiah(amount: string | number): string {
  return `Rp${Number(amount).toLocaleString('id-ID')}`;
}
