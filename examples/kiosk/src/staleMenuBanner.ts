import type { MasterDataStatus } from '@kitchen-sync/client/master-data';

/** What the banner says, or `null` for no banner. */
export function staleMenuText(status: MasterDataStatus): string | null {
  if (!status.stale) return null;
  if (status.lastSync === null) {
    return 'Menu belum pernah diperbarui dari pusat: harga dan stok mungkin tidak sesuai.';
  }
  const when = new Date(status.lastSync).toLocaleString('id-ID', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return `Menu terakhir diperbarui ${when}, lebih dari sehari lalu: harga dan stok mungkin sudah berubah.`;
}

/**
 * The "menu may be outdated" warning: the kiosk sells from its cached menu when central is
 * unreachable, and after a day without a full sync the prices may be wrong. A sync under way
 * (a resync after central was restored included) leaves the banner as it is (no flash on
 * every boot before the first answer, no flicker while a background retry runs); the next
 * settled status decides.
 */
export function showStaleMenu(
  element: HTMLElement,
  status: { subscribe(fn: (status: MasterDataStatus) => void): () => void },
): () => void {
  return status.subscribe((current) => {
    if (current.state === 'idle' || current.state === 'syncing' || current.state === 'resyncing') {
      if (!current.stale) element.textContent = '';
      return;
    }
    element.textContent = staleMenuText(current) ?? '';
  });
}
