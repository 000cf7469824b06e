import type { AllDayCount } from '@kitchen-sync/client/feed-views';

/** The all-day list: how many of each dish (with its modifiers) are still to make. */
export function renderAllDay(list: HTMLElement, counts: readonly AllDayCount[]): void {
  list.replaceChildren(
    ...counts.map((count) => {
      const li = document.createElement('li');
      li.dataset.testid = 'all-day';
      li.dataset.productId = String(count.product_id);
      const quantity = document.createElement('b');
      quantity.textContent = String(count.quantity);
      const name = document.createElement('span');
      name.textContent =
        count.modifiers.length > 0 ? `${count.name} (${count.modifiers.join(', ')})` : count.name;
      li.append(quantity, name);
      return li;
    }),
  );
}
