"""Errors with the wire protocol's stable codes (packages/protocol/src/errors.ts)."""

from django.http import JsonResponse

HTTP_STATUS_BY_CODE = {
    "invalid_payload": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "invalid_transition": 409,
    "too_large": 413,
    "request_timeout": 408,
    "rate_limited": 429,
    "internal": 500,
    "storage_full": 507,
    "unavailable": 503,
    "https_required": 426,
    "order_conflict": 422,
}

# The codes only the bridge (a relay's upload to central) uses, beside the protocol's: a relay
# reads them to put its cursor or its epoch right, never a device.
BRIDGE_STATUS_BY_CODE = {
    # The batch starts after central's cursor for the epoch (central's database was restored
    # from a backup): nothing is applied, the answer's last_seq says where to resend from.
    "seq_gap": 409,
    # A seq at or below central's cursor names an event central never had from that epoch:
    # two logs share one epoch (a copied or whole-restored data dir).
    "epoch_conflict": 409,
}


# The codes central answers its own callers (a web shop, a call centre's screen) beside the
# protocol's: neither a relay nor a device gets them.
CENTRAL_STATUS_BY_CODE = {
    # A new order for an outlet central has not been able to reach for longer than
    # OUTLET_OFFLINE_AFTER: its kitchen would get it only when it comes back (outlet_contact).
    "outlet_offline": 503,
    # An Idempotency-Key already used for another request (another body or path): a client bug,
    # not a retry; sent again it is refused again (the relay's analogue is order_conflict).
    "idempotency_conflict": 422,
    # A new order whose order_id central already has as another outlet's or tenant's order: an
    # order_id names one order everywhere (the relay keys its orders by it alone). Booked for
    # neither kitchen; the caller sends it again under a new order_id.
    "order_id_taken": 409,
    # mint_relay_token / mint_socket_token: the token would be over the 4,096 characters the
    # relay's socket handshake takes (too many tenants); the relay's CLI refuses it so too.
    "token_too_long": 400,
}

_KNOWN_CODES = {**HTTP_STATUS_BY_CODE, **BRIDGE_STATUS_BY_CODE, **CENTRAL_STATUS_BY_CODE}


class KitchenSyncError(Exception):
    """Raised by the package's helpers; tests and callers branch on ``code``."""

    def __init__(self, code, message, **details):
        if code not in _KNOWN_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def error_response(code, message, status=None, issues=None, **fields):
    """``{"error": {"code", "message", ...fields}}`` with the code's HTTP status; ``issues``
    (the protocol's ``[{"path", "message"}]``) says which fields were refused."""
    error = {"code": code, "message": message, **fields}
    if issues:
        error["issues"] = issues
    status = status or _KNOWN_CODES[code]
    return JsonResponse({"error": error}, status=status)


def method_not_allowed(allowed):
    """``405 {"error": {"code": "method_not_allowed", ...}}`` with ``Allow``, in place of
    Django's empty 405. The protocol has no code for it (the relay answers a wrong method with
    ``404 not_found``), so this one code is the package's own, outside HTTP_STATUS_BY_CODE."""
    response = JsonResponse(
        {"error": {"code": "method_not_allowed", "message": f"use {' or '.join(allowed)}"}},
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response
