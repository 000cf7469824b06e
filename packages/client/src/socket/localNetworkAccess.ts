/** The Local Network Access permission as far as the browser's Permissions API tells it. */
export type LocalNetworkState = 'granted' | 'denied' | 'prompt' | 'unknown';

export interface PermissionStatusLike {
  readonly state: string;
  addEventListener(type: 'change', listener: () => void): void;
  removeEventListener(type: 'change', listener: () => void): void;
}

/** The part of `navigator.permissions` the socket service uses. */
export interface PermissionsLike {
  query(descriptor: { name: string }): Promise<PermissionStatusLike>;
}

/**
 * Chromium 156 knows `local-network-access` (what playwright grants and what follows a
 * `Browser.setPermission`) and the newer split names `local-network` and `loopback-network`
 * (for a relay on this machine); it rejects the older `private-network-access`. Names a
 * browser does not know are skipped.
 */
export function permissionNames(relayIsLoopback: boolean): string[] {
  return ['local-network-access', relayIsLoopback ? 'loopback-network' : 'local-network'];
}

function combine(states: readonly string[]): LocalNetworkState {
  if (states.includes('denied')) return 'denied';
  if (states.includes('prompt')) return 'prompt';
  if (states.includes('granted')) return 'granted';
  return 'unknown';
}

/**
 * Calls `onChange` with the permission's state once known and on every change (a grant in the
 * site settings reconnects at once). Returns the unsubscribe.
 */
export function watchLocalNetworkAccess(
  permissions: PermissionsLike,
  names: readonly string[],
  onChange: (state: LocalNetworkState) => void,
): () => void {
  let stopped = false;
  const watched: Array<() => void> = [];
  const statuses: PermissionStatusLike[] = [];
  let last: LocalNetworkState | null = null;
  const report = (): void => {
    if (stopped) return;
    const state = combine(statuses.map((s) => s.state));
    if (state === last) return;
    last = state;
    onChange(state);
  };
  void Promise.all(
    names.map((name) =>
      Promise.resolve()
        .then(() => permissions.query({ name }))
        .catch(() => null),
    ),
  ).then((found) => {
    if (stopped) return;
    for (const status of found) {
      if (!status) continue;
      statuses.push(status);
      status.addEventListener('change', report);
      watched.push(() => status.removeEventListener('change', report));
    }
    report();
  });
  return () => {
    stopped = true;
    for (const unwatch of watched) unwatch();
  };
}
