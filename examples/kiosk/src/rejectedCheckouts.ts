import type {
  RejectedOrder,
  RetryResult,
  ServiceWorkerManager,
} from '@kitchen-sync/client/sw-manager';

interface CheckoutBody {
  customer_name?: unknown;
  orders?: Array<{ display_number?: unknown; tenant_name?: unknown }>;
}

/** "Antrean 12 · Budi · Bakso, Es Teh": which checkout this was, from the stored POST body. */
export function checkoutLabel(order: RejectedOrder): string {
  let body: CheckoutBody = {};
  try {
    body = JSON.parse(order.body ?? '{}') as CheckoutBody;
  } catch {
    // A body that is not JSON: the time and key below still identify it.
  }
  const first = body.orders?.[0];
  const parts = [
    typeof first?.display_number === 'string' ? `Antrean ${first.display_number}` : null,
    typeof body.customer_name === 'string' && body.customer_name ? body.customer_name : null,
    (body.orders ?? [])
      .map((o) => o.tenant_name)
      .filter((name) => typeof name === 'string')
      .join(', ') || null,
  ];
  return parts.filter(Boolean).join(' · ') || order.idempotencyKey;
}

/** Why central does not have it, in the staff's words. */
export function rejectionText(order: RejectedOrder): string {
  const when = new Date(order.queuedAt).toLocaleString('id-ID', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  if (order.reason === 'expired') {
    const answer = order.status ? `, jawaban terakhir HTTP ${order.status}` : '';
    return `Belum terkirim ke pusat sejak ${when} (lewat batas antrean${answer})`;
  }
  return `Ditolak pusat (HTTP ${order.status}), dipesan ${when}`;
}

const RETRY_TEXT: Record<RetryResult['outcome'], string> = {
  delivered: 'Terkirim ke pusat.',
  rejected: 'Pusat menolak lagi; lihat alasannya.',
  retry: 'Pusat belum bisa dihubungi; coba lagi nanti.',
  not_found: 'Sudah tidak ada di daftar.',
};

/**
 * The checkouts central never got (refused, or set aside after the queue's retention): counted
 * on the central-queue badge and listed with a resend and a dismiss button, so a checkout from
 * a long outage is never lost without the staff seeing it. One set aside after the retention
 * leaves the list by itself once central takes checkouts again (the worker resends it once);
 * the button is for refused ones, or sooner. Resending is safe: the worker sends the same
 * Idempotency-Key, and central answers a booked one with its first answer.
 */
export function showRejectedCheckouts(
  sw: Pick<ServiceWorkerManager, 'queue' | 'queueStatus' | 'retryRejected' | 'dismissRejected'>,
  elements: { count: HTMLElement; section: HTMLElement; list: HTMLElement; notice: HTMLElement },
): () => void {
  const render = (rejected: RejectedOrder[]): void => {
    elements.count.textContent = String(rejected.length);
    elements.count.parentElement!.hidden = rejected.length === 0;
    elements.section.hidden = rejected.length === 0;
    elements.list.replaceChildren(
      ...rejected.map((order) => {
        const li = document.createElement('li');
        li.dataset.testid = 'rejected-checkout';
        li.dataset.reason = order.reason;
        const text = document.createElement('span');
        text.innerHTML = '<b></b><small></small>';
        text.querySelector('b')!.textContent = checkoutLabel(order);
        text.querySelector('small')!.textContent = rejectionText(order);
        const actions = document.createElement('span');
        actions.className = 'actions';
        actions.append(
          button('Kirim ulang', 'rejected-retry', async () => {
            const { outcome } = await sw.retryRejected(order.id);
            elements.notice.textContent = RETRY_TEXT[outcome];
          }),
          button('Hapus', 'rejected-dismiss', async () => {
            if (confirm('Hapus pesanan ini dari daftar? Pusat tidak akan menerimanya.')) {
              await sw.dismissRejected([order.id]);
            }
          }),
        );
        li.append(text, actions);
        return li;
      }),
    );
  };
  const refresh = (): void => {
    sw.queueStatus().then(
      (status) => render(status.rejected),
      () => {
        // No active worker yet: it announces the queue when it changes.
      },
    );
  };
  const button = (label: string, testid: string, action: () => Promise<void>) => {
    const element = document.createElement('button');
    element.type = 'button';
    element.className = 'ghost';
    element.dataset.testid = testid;
    element.textContent = label;
    element.addEventListener('click', () => {
      element.disabled = true;
      action()
        .catch(() => {
          elements.notice.textContent = 'Service worker tidak menjawab; coba lagi.';
        })
        .finally(refresh);
    });
    return element;
  };
  // The worker announces counts only; the list (bodies, reasons) is asked for when they change.
  return sw.queue.subscribe((queue) => {
    if (queue === null) return;
    if (queue.rejected === 0) render([]);
    else refresh();
  });
}
