import { type Order, OrderSchema, pathWithin, validate } from '@kitchen-sync/protocol';

export interface OrderGroup {
  id: string;
  group_number: string;
  outlet_id: number | string;
  customer_name?: string;
  orders: Order[];
  total_amount: string;
  created_at: string;
}

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type GroupResult =
  | { ok: true; group: OrderGroup; answer: StoredAnswer; replayed: boolean }
  | { ok: false; answer: StoredAnswer };

const MAX_KEY_LENGTH = 255;

function invalid(message: string, issues?: { path: string; message: string }[]): StoredAnswer {
  return {
    status: 400,
    body: { error: { code: 'invalid_payload', message, ...(issues ? { issues } : {}) } },
  };
}

/** Rupiah totals are summed in integer sen so no float rounding reaches the books. */
function sumDecimals(values: string[]): string {
  const sen = values.reduce((acc, value) => {
    const [whole = '0', fraction = ''] = value.split('.');
    return acc + BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  }, 0n);
  const cents = sen % 100n;
  return cents === 0n ? String(sen / 100n) : `${sen / 100n}.${String(cents).padStart(2, '0')}`;
}

/**
 * `POST /api/public/order-groups/`: one checkout of a food-court kiosk, one order per
 * tenant. The `Idempotency-Key` makes a retried POST (service-worker replay, double tap)
 * return the first answer instead of booking the food twice.
 */
export class OrderGroupStore {
  #byKey = new Map<string, { group: OrderGroup; answer: StoredAnswer }>();
  #groups: OrderGroup[] = [];
  #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  get groups(): readonly OrderGroup[] {
    return this.#groups;
  }

  create(idempotencyKey: string | undefined, body: unknown): GroupResult {
    if (!idempotencyKey || idempotencyKey.length > MAX_KEY_LENGTH) {
      return { ok: false, answer: invalid('the Idempotency-Key header is required') };
    }
    const previous = this.#byKey.get(idempotencyKey);
    if (previous) return { ok: true, ...previous, replayed: true };

    const parsed = this.#parse(body);
    if (!parsed.ok) return parsed;
    const input = parsed.value;
    const group: OrderGroup = {
      id: idempotencyKey,
      group_number: `GRP-${String(this.#groups.length + 1).padStart(4, '0')}`,
      outlet_id: input.outlet_id,
      ...(input.customer_name ? { customer_name: input.customer_name } : {}),
      orders: input.orders,
      total_amount: sumDecimals(input.orders.map((o) => o.total_amount)),
      created_at: this.#now().toISOString(),
    };
    const answer = { status: 201, body: group };
    this.#byKey.set(idempotencyKey, { group, answer });
    this.#groups.push(group);
    return { ok: true, group, answer, replayed: false };
  }

  #parse(
    body: unknown,
  ):
    | { ok: true; value: { outlet_id: number | string; customer_name?: string; orders: Order[] } }
    | { ok: false; answer: StoredAnswer } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { ok: false, answer: invalid('the body must be a JSON object') };
    }
    const { outlet_id, customer_name, orders } = body as Record<string, unknown>;
    if (typeof outlet_id !== 'number' && typeof outlet_id !== 'string') {
      return { ok: false, answer: invalid('outlet_id is required') };
    }
    if (!Array.isArray(orders) || orders.length === 0) {
      return { ok: false, answer: invalid('orders must be a non-empty array') };
    }
    const valid: Order[] = [];
    for (const [index, order] of orders.entries()) {
      const result = validate(OrderSchema, order);
      if (!result.ok) {
        const issues = (result.error.issues ?? []).map((issue) => ({
          ...issue,
          path: pathWithin(`orders.${index}`, issue.path),
        }));
        return { ok: false, answer: invalid(result.error.message, issues) };
      }
      if (String(result.value.outlet_id) !== String(outlet_id)) {
        return { ok: false, answer: invalid(`orders.${index}.outlet_id must match outlet_id`) };
      }
      valid.push(result.value);
    }
    return {
      ok: true,
      value: {
        outlet_id,
        ...(typeof customer_name === 'string' ? { customer_name } : {}),
        orders: valid,
      },
    };
  }
}
