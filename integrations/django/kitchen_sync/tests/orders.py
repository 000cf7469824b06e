"""Orders as the protocol has them (packages/protocol/src/schemas/order.ts): central refuses
any other (kitchen_sync.payload_rules), as the outlet's relay would."""

import uuid


def protocol_order(tenant=1, outlet=1, status="pending", **fields):
    """A kiosk's order of one line; ``tenant=None`` leaves ``tenant_id`` out."""
    order = {
        "order_id": str(uuid.uuid4()),
        "order_number": "OFF-1735891234567-T1",
        "outlet_id": outlet,
        "tenant_id": tenant,
        "status": status,
        "items": [{"product_id": 1, "name": "Nasi goreng", "quantity": 2, "price": "25000"}],
        "total_amount": "50000",
        "created_at": "2026-01-03T08:00:00.000Z",
        **fields,
    }
    if tenant is None:
        del order["tenant_id"]
    return order
