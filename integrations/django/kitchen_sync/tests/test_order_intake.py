"""Central's checkout (a web shop's order): an order_id is one order, of one outlet and tenant,
as at the relay; a checkout never answers 201 for an order it did not book."""

import json
import uuid

import pytest

from kitchen_sync.models import IdempotentRequest, OutletEvent
from menu.models import Order, OrderGroup

from .orders import protocol_order

pytestmark = pytest.mark.django_db

URL = "/api/public/order-groups/"


def checkout(client, *orders, outlet=1, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = json.dumps({"outlet_id": outlet, "orders": list(orders)})
    return client.post(URL, body, content_type="application/json", **headers)


def booked():
    return sorted(Order.objects.values_list("outlet_id", "tenant_id"))


def test_an_order_id_another_outlet_has_is_refused_and_books_nothing(client, in_memory_layer):
    taken = str(uuid.uuid4())
    assert checkout(client, protocol_order(outlet=1, order_id=taken)).status_code == 201
    other = protocol_order(outlet=2)
    response = checkout(client, other, protocol_order(outlet=2, order_id=taken), outlet=2,
                        key=str(uuid.uuid4()))
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["order_id"]) == ("order_id_taken", taken)
    # Nothing of the group: the shop sends it again with a new id for that order.
    assert booked() == [("1", "1")]
    assert list(OutletEvent.objects.values_list("outlet_id", flat=True)) == ["1"]
    assert not Order.objects.filter(order_id=other["order_id"]).exists()
    assert (OrderGroup.objects.count(), IdempotentRequest.objects.count()) == (1, 0)


def test_an_order_id_another_tenant_of_the_outlet_has_is_refused(client, in_memory_layer):
    taken = str(uuid.uuid4())
    assert checkout(client, protocol_order(tenant=1, order_id=taken)).status_code == 201
    response = checkout(client, protocol_order(tenant=2, order_id=taken))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_id_taken"
    assert booked() == [("1", "1")]
    assert OutletEvent.objects.count() == 1


def test_the_same_order_sent_again_is_booked_once_and_answered_201(client, in_memory_layer):
    # A retry without an Idempotency-Key, or an order the relay's upload brought first.
    order = protocol_order(outlet=1, order_id=str(uuid.uuid4()).upper())
    assert checkout(client, order).status_code == 201
    again = checkout(client, {**order, "outlet_id": "1"})
    assert again.status_code == 201
    assert booked() == [("1", "1")]
    assert OutletEvent.objects.count() == 1
