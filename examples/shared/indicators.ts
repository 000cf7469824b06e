import type { ConnectionMode, SocketStatus } from '@kitchen-sync/client';
import { bridgeLine } from './bridgeLine';
import { type FirstContactWait, firstContactText } from './firstContact';

/**
 * The badges both pages show. Labels are for people; the developer codes stay out of sight
 * (a `hidden` span with a `data-testid` for scripts and tests, the badge's `title` for support).
 */
export type NetworkMode = 'online' | 'local' | 'offline';

const CONNECTION_LABELS: Record<ConnectionMode, string> = {
  connected: 'Live',
  polling: 'Live (slow updates)',
  central_only: 'Relay not reachable',
  disconnected: 'Not connected',
};

const NETWORK_LABELS: Record<NetworkMode, string> = {
  online: 'Online',
  local: 'Local network only',
  offline: 'Offline',
};

/** The relay said no to this tablet: not "not reachable", which sends people to the network. */
const REFUSED = new Set(['unauthorized', 'relay_token_missing', 'forbidden']);

/** The connection badge's label: a refusal of the relay's is named as one, whatever the mode. */
export function connectionLabel(status: Pick<SocketStatus, 'mode' | 'error'>): string {
  const refused = status.mode !== 'connected' && REFUSED.has(status.error?.code ?? '');
  return refused ? 'Relay refused this tablet' : CONNECTION_LABELS[status.mode];
}

function badge(element: HTMLElement, mode: string, label: string, code: string): void {
  element.dataset.mode = mode;
  element.title = `${label} (support code: ${code})`;
  const hook = element.querySelector('[data-testid]');
  const text = element.querySelector('.label');
  if (hook) hook.textContent = mode;
  if (text) text.textContent = label;
}

/**
 * The relay link's badge and, under the bar, what is wrong in words, with the relay's setup
 * page when the fix is to trust its certificate.
 */
export function showConnectionStatus(
  element: HTMLElement,
  cause: HTMLElement,
  status: SocketStatus,
): void {
  const code = status.error ? `${status.mode}/${status.error.code}` : status.mode;
  badge(element, status.mode, connectionLabel(status), code);
  const errorHook = element.querySelector<HTMLElement>('[data-testid="connection-error"]');
  if (errorHook) errorHook.textContent = status.error?.code ?? '';
  const setupUrl = status.error?.details?.setupUrl;
  const reason = status.reason ?? '';
  // The library's sentence names the setup page's address: make that address a link.
  const at = typeof setupUrl === 'string' ? reason.indexOf(setupUrl) : -1;
  if (at < 0) {
    cause.textContent = reason;
  } else {
    const link = document.createElement('a');
    link.href = setupUrl as string;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = setupUrl as string;
    const after = reason.slice(at + (setupUrl as string).length);
    cause.replaceChildren(reason.slice(0, at), link, after);
  }
  cause.title = status.error ? `Support code: ${status.error.code}` : '';
}

/**
 * What the relay says about its upload to central: the outlet's log must reach central
 * (reports, the guests' order pages) even when no tablet still holds the orders.
 */
export function showBridgeStatus(element: HTMLElement, bridge: SocketStatus['bridge']): void {
  element.hidden = !bridge;
  if (!bridge) return;
  element.textContent = bridgeLine(bridge);
  element.title = bridge.last_error_code ? `Support code: ${bridge.last_error_code}` : '';
}

/**
 * Before the page has any outlet settings: the relay badge says nothing is connected, with the
 * client's code, and the line under the bar says the tablet is waiting for central.
 */
export function showFirstContact(
  element: HTMLElement,
  cause: HTMLElement,
  wait: FirstContactWait | null,
): void {
  const errorHook = element.querySelector<HTMLElement>('[data-testid="connection-error"]');
  if (errorHook) errorHook.textContent = wait?.code ?? '';
  cause.textContent = wait ? firstContactText(wait) : '';
  cause.title = wait ? `Support code: ${wait.code}` : '';
  // Answered: the socket's status takes the badge over from here.
  if (wait) badge(element, 'disconnected', 'Waiting for central', `disconnected/${wait.code}`);
  else badge(element, 'disconnected', CONNECTION_LABELS.disconnected, 'disconnected');
}

export function showNetworkMode(element: HTMLElement, mode: NetworkMode): void {
  badge(element, mode, NETWORK_LABELS[mode], mode);
}

export function rupiah(amount: string | number): string {
  return `Rp${Number(amount).toLocaleString('id-ID')}`;
}
