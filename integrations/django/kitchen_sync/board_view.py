"""What a ``board`` token (a pickup board in the dining room) receives of an order: the
protocol's ``BOARD_ORDER_FIELDS`` (packages/protocol/src/boardView.ts), no guest data."""

# An allow-list: the guest's name, phone and notes, the lines, the table, a cancel reason, and
# any field a newer POS adds never reach a board.
BOARD_ORDER_FIELDS = (
    "order_id",
    "order_number",
    "display_number",
    "outlet_id",
    "tenant_id",
    "tenant_name",
    "status",
    "status_at",
    "created_at",
    "updated_at",
    "version",
    "status_version",
    "source",
)

BOARD_ROLES = ("board",)


def board_order(order):
    """The order as a board may see it; anything that is not a dict gives an empty one."""
    if not isinstance(order, dict):
        return {}
    return {field: order[field] for field in BOARD_ORDER_FIELDS if order.get(field) is not None}


def board_envelope(envelope):
    """The event as a board receives it: the same envelope around ``board_order(data)``."""
    if not isinstance(envelope, dict):
        return envelope
    return {**envelope, "data": board_order(envelope.get("data"))}
