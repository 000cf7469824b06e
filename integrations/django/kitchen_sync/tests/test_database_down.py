"""The order intake with the database down: the package's JSON error ``unavailable`` (503),
never Django's HTML 500, and nothing stored."""

import json

import pytest
from django.db import OperationalError

from kitchen_sync.models import IdempotentRequest
from menu.models import Order, OrderGroup

from .orders import protocol_order

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/public/order-groups/"


def database_down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def post(client, key=None):
    order = protocol_order()
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, json.dumps({"outlet_id": 1, "orders": [order]}),
                       content_type="application/json", **headers)


def assert_unavailable(answer):
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["error"]["code"] == "unavailable"


def test_the_key_cannot_be_claimed(client, in_memory_layer, monkeypatch):
    monkeypatch.setattr(IdempotentRequest.objects, "create", database_down)
    assert_unavailable(post(client, key="k-1"))
    assert Order.objects.count() == 0


@pytest.mark.parametrize("key", ["k-2", None])
def test_the_views_own_query_fails(client, in_memory_layer, monkeypatch, key):
    monkeypatch.setattr(OrderGroup.objects, "create", database_down)
    assert_unavailable(post(client, key=key))
    assert Order.objects.count() == 0 and IdempotentRequest.objects.count() == 0
