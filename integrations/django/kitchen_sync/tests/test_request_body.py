"""Bodies are read within DATA_UPLOAD_MAX_MEMORY_SIZE, chunked or not, and refused in JSON."""

import json
import uuid

import pytest
from asgiref.testing import ApplicationCommunicator

from kitchen_sync.errors import KitchenSyncError
from kitchen_sync.request_body import bounded_body
from kitchen_sync.tokens import mint_relay_credential
from menu.models import Order

from .orders import protocol_order
from .sockets import run

ORDERS = "/api/public/order-groups/"
UPLOAD = "/api/kitchen-sync/relay/upload/"


class EndlessStream:
    """A chunked body that never ends, counting what was read of it."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        size = 1 << 20 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size


def test_a_chunked_body_is_read_no_further_than_the_limit(rf, settings):
    # 200 MB without Content-Length took daphne to 1.2 GB: request.body reads a stream whole.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    request = rf.post(ORDERS, b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request._stream = stream = EndlessStream()
    with pytest.raises(KitchenSyncError) as refused:
        bounded_body(request)
    assert refused.value.code == "too_large"
    assert stream.read_bytes == 1001


def test_a_body_within_the_limit_is_kept_for_the_view(rf, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    request = rf.post(ORDERS, b'{"a": 1}', content_type="application/json")
    assert bounded_body(request) == b'{"a": 1}'
    assert request.body == b'{"a": 1}' and json.loads(request.read()) == {"a": 1}


def asgi_post(path, chunks, headers=()):
    """A POST through Django's ASGI handler, its body in ``chunks`` and no Content-Length."""
    from django.core.asgi import get_asgi_application

    async def body():
        app = ApplicationCommunicator(
            get_asgi_application(),
            {
                "type": "http", "method": "POST", "path": path, "query_string": b"",
                "headers": [(b"content-type", b"application/json"), (b"host", b"testserver"),
                            *headers],
                "http_version": "1.1", "scheme": "http", "server": ("testserver", 80),
                "client": ("127.0.0.1", 5000),
            },
        )
        for index, chunk in enumerate(chunks):
            await app.send_input(
                {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
            )
        start = await app.receive_output(timeout=5)
        content = await app.receive_output(timeout=5)
        return start["status"], json.loads(content["body"])

    return run(body)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", [None, "k-1"])
def test_a_chunked_order_over_the_limit_is_too_large_in_json(settings, in_memory_layer, key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    order = protocol_order(order_id=str(uuid.uuid4()), notes="a" * 20_000)
    text = json.dumps({"outlet_id": 1, "orders": [order]}).encode()
    headers = [(b"idempotency-key", key.encode())] if key else []
    status, answer = asgi_post(ORDERS, [text[i:i + 4096] for i in range(0, len(text), 4096)], headers)
    assert (status, answer["error"]["code"]) == (413, "too_large")
    assert Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_chunked_upload_over_the_limit_is_too_large_in_json(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    credential = f"Bearer {mint_relay_credential(outlet=1)}".encode()
    status, answer = asgi_post(UPLOAD, [b"a" * 4096] * 4, [(b"authorization", credential)])
    assert (status, answer["error"]["code"]) == (413, "too_large")


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "k-2"])
def test_a_declared_length_over_the_limit_is_too_large_in_json(client, settings, key):
    # Django's own answer was its HTML 400 page (RequestDataTooBig).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = client.post(ORDERS, "x" * 200, content_type="application/json", **headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "k-3"])
def test_an_order_nested_too_deep_is_invalid_payload_in_json(client, key):
    # '[' * 100000 is a RecursionError in json.loads: it was Django's HTML 500 page.
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = client.post(ORDERS, "[" * 100_000, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"
