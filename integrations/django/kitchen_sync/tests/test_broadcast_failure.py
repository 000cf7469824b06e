"""A broadcast that fails after commit (Redis down) is logged, never raised: the change is
stored, and the relay's downlink and ``?since=`` still deliver what the log holds."""

import json
import logging
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction

from kitchen_sync.events import abroadcast_order_event, broadcast_order_event, publish_order_event
from kitchen_sync.models import IdempotentRequest, OutletEvent
from menu.models import Order

from .orders import protocol_order

pytestmark = pytest.mark.django_db(transaction=True)


class DownLayer:
    async def group_send(self, group, message):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def failures(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "kitchen_sync.events"]


def test_publish_commits_logs_the_failure_with_outlet_and_seq(caplog):
    order = protocol_order(outlet=7)
    with transaction.atomic():
        envelope, seq, created = publish_order_event("new_order", order, channel_layer=DownLayer())
    assert created and OutletEvent.objects.filter(outlet_id="7", seq=seq).exists()
    [message] = failures(caplog)
    assert "outlet 7" in message and f"seq {seq}" in message and envelope["event_id"] in message


@pytest.mark.parametrize("on_commit", [True, False])
def test_broadcast_logs_the_failure_and_returns_the_envelope(caplog, on_commit):
    with transaction.atomic():
        envelope = broadcast_order_event(
            "new_order", protocol_order(outlet=7), channel_layer=DownLayer(), on_commit=on_commit
        )
    [message] = failures(caplog)
    assert "outlet 7" in message and envelope["event_id"] in message


def test_abroadcast_logs_the_failure_and_returns_the_envelope(caplog):
    envelope = async_to_sync(abroadcast_order_event)(
        "new_order", protocol_order(outlet=7), channel_layer=DownLayer()
    )
    assert envelope["event_id"] in failures(caplog)[0]


def test_a_web_order_while_redis_is_down_is_a_201_and_its_retry_the_same(client, redis_down, caplog):
    caplog.set_level(logging.ERROR, logger="kitchen_sync.events")
    order = protocol_order(tenant=1, outlet=101)
    body = json.dumps({"outlet_id": 101, "orders": [order]})
    key = str(uuid.uuid4())
    first = client.post("/api/public/order-groups/", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/api/public/order-groups/", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["orders"] == [order["order_id"]] and again.content == first.content
    assert Order.objects.filter(order_id=order["order_id"]).count() == 1
    assert IdempotentRequest.objects.get(key=key).status == 201
    seq = OutletEvent.objects.get(order_id=order["order_id"]).seq
    assert any("outlet 101" in m and f"seq {seq}" in m for m in failures(caplog))
