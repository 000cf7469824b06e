"""Reading a request's body within DATA_UPLOAD_MAX_MEMORY_SIZE, with the protocol's code."""

from io import BytesIO

from django.conf import settings

from .errors import KitchenSyncError


def bounded_body(request):
    """The raw body, read once and kept as ``request.body``; over DATA_UPLOAD_MAX_MEMORY_SIZE it
    is ``KitchenSyncError("too_large")``, before more than the limit and one byte is read.

    Django's own check looks at Content-Length only: a chunked body (no Content-Length) would
    be read whole into memory, and a declared one over the limit is an HTML 400 page."""
    if hasattr(request, "_body"):
        body = request._body
    else:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise KitchenSyncError("invalid_payload", "Content-Length is not a number") from None
        if limit is not None and declared > limit:
            raise _too_large(limit)
        body = request.read() if limit is None else request.read(limit + 1)
        # What HttpRequest.body does after reading: later readers (the view) get these bytes.
        request._body = body
        request._stream = BytesIO(body)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and len(body) > limit:
        raise _too_large(limit)
    return body


def _too_large(limit):
    return KitchenSyncError(
        "too_large", f"the body is over DATA_UPLOAD_MAX_MEMORY_SIZE ({limit} bytes)"
    )
