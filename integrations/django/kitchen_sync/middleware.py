"""Idempotent POSTs: the same Idempotency-Key books once and always gets the first answer."""

import hashlib
import logging

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.http import HttpResponse

from .errors import KitchenSyncError, error_response
from .models import IdempotentRequest
from .request_body import bounded_body
from .settings import ks_setting

logger = logging.getLogger("kitchen_sync.middleware")

HEADER = "Idempotency-Key"
# What the database raises when it cannot be reached (down, restarting, connection lost).
DATABASE_DOWN = (OperationalError, InterfaceError)


def _database_unavailable(request, error):
    logger.warning("%s %s: the database is unavailable: %r", request.method, request.path, error)
    # JSON with the protocol's code, never Django's HTML 500: the kiosk retries with its key.
    return error_response("unavailable", "the database is unavailable; retry with the same request")


class _NotStored(Exception):
    """Leaves the claim's transaction (rolling it back) with the view's answer."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def _replay(record):
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyKeyMiddleware:
    """For POSTs to KITCHEN_SYNC["IDEMPOTENT_PATHS"] carrying an Idempotency-Key.

    The key is claimed (a unique row) and the view runs in **one transaction**: the order
    and its key commit together or not at all. A second attempt with the same key that
    arrives while the first is still running blocks on the unique index until the first
    commits (PostgreSQL; SQLite serialises writers anyway), then answers the stored 2xx
    with ``Idempotent-Replayed: true``. A non-2xx answer is not stored (the transaction rolls
    back, so a retry runs the view again). A repeat with a different body is refused with
    ``422 idempotency_conflict``: that is a client bug, not a retry.

    Every guarded POST, with a key or not, has its body read here within
    DATA_UPLOAD_MAX_MEMORY_SIZE (``request_body.bounded_body``): a bigger one, chunked or
    declared, is ``413 too_large`` before the view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def _guarded(self, request):
        if request.method != "POST":
            return False
        return any(request.path.startswith(p) for p in ks_setting("IDEMPOTENT_PATHS"))

    def __call__(self, request):
        if not self._guarded(request):
            return self.get_response(request)
        try:
            # Before the view's own request.body, which would read a chunked body whole.
            body = bounded_body(request)
        except KitchenSyncError as error:
            return error_response(error.code, error.message)
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return self.get_response(request)
        if len(key) > ks_setting("IDEMPOTENCY_KEY_MAX_LENGTH"):
            return error_response("invalid_payload", f"{HEADER} is too long")
        body_hash = hashlib.sha256(body).hexdigest()
        try:
            return self._claimed(request, key, body_hash)
        except DATABASE_DOWN as error:
            # Nothing was committed, or the commit's fate is unknown: either way the retry with
            # the same key books once.
            return _database_unavailable(request, error)

    def process_exception(self, request, exception):
        """The view's own database failure on a guarded path (with or without a key)."""
        if self._guarded(request) and isinstance(exception, DATABASE_DOWN):
            return _database_unavailable(request, exception)
        return None

    def _claimed(self, request, key, body_hash):
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotentRequest.objects.create(
                            key=key, path=request.path, body_hash=body_hash, status=0, body=b"",
                            content_type="",
                        )
                except IntegrityError:
                    record = None
                if record is None:
                    seen = IdempotentRequest.objects.get(key=key)
                    if seen.path != request.path or seen.body_hash != body_hash:
                        return error_response(
                            "idempotency_conflict", f"this {HEADER} was used for another request"
                        )
                    return _replay(seen)
                response = self.get_response(request)
                if not 200 <= response.status_code < 300 or response.streaming:
                    raise _NotStored(response)
                record.status = response.status_code
                record.body = response.content
                record.content_type = response.get("Content-Type", "application/json")
                record.save(update_fields=["status", "body", "content_type"])
                return response
        except _NotStored as not_stored:
            return not_stored.response
