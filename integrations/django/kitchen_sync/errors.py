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
}


class KitchenSyncError(Exception):
    """Raised by the package's helpers; tests and callers branch on ``code``."""

    def __init__(self, code, message, **details):
        if code not in HTTP_STATUS_BY_CODE:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def error_response(code, message, status=None, issues=None):
    """``{"error": {"code", "message"}}`` with the code's HTTP status; ``issues`` (the
    protocol's ``[{"path", "message"}]``) says which fields were refused."""
    error = {"code": code, "message": message}
    if issues:
        error["issues"] = issues
    return JsonResponse({"error": error}, status=status or HTTP_STATUS_BY_CODE[code])


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
