"""broadcast_order_event: fresh ids, JSON-safe data, sent only after commit."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from kitchen_sync.errors import KitchenSyncError
from kitchen_sync.events import broadcast_order_event, build_envelope, outlet_group, tenant_group

ORDER = {"order_id": uuid.UUID("0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b"), "outlet_id": 1,
         "tenant_id": 3, "status": "pending"}


class RecordingLayer:
    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        self.sent.append((group, message))


def test_each_event_without_an_id_gets_a_fresh_one():
    ids = {build_envelope("new_order", ORDER)["event_id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(str(uuid.UUID(i)) == i for i in ids)


def test_a_given_event_id_is_kept():
    assert build_envelope("new_order", ORDER, event_id=uuid.UUID(int=5))["event_id"] == str(
        uuid.UUID(int=5)
    )


def test_django_values_become_wire_values():
    order = {**ORDER, "total_amount": Decimal("150000.50"),
             "created_at": datetime.datetime(2025, 1, 3, 8, 0, tzinfo=datetime.timezone.utc)}
    envelope = build_envelope("new_order", order)
    assert envelope["order_id"] == "0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b"
    assert envelope["data"]["total_amount"] == "150000.50"
    assert envelope["data"]["created_at"] == "2025-01-03T08:00:00Z"
    assert (envelope["outlet_id"], envelope["tenant_id"], envelope["type"]) == (1, 3, "new_order")


@pytest.mark.parametrize(
    ("event", "order"),
    [("order_exploded", ORDER), ("new_order", {"order_id": "x"}), ("new_order", [1]),
     ("new_order", {**ORDER, "blob": object()})],
)
def test_bad_input_is_invalid_payload(event, order):
    with pytest.raises(KitchenSyncError) as caught:
        build_envelope(event, order)
    assert caught.value.code == "invalid_payload"


def test_sent_to_the_outlet_and_the_tenant_group():
    layer = RecordingLayer()
    envelope = broadcast_order_event("new_order", ORDER, channel_layer=layer, on_commit=False)
    assert [g for g, _ in layer.sent] == [outlet_group(1), tenant_group(1, 3)]
    assert layer.sent[0][1] == {"type": "kitchen_sync.event", "event": "new_order", "data": envelope}


def test_unsafe_group_characters_become_a_digest():
    assert outlet_group("mall a/1") != outlet_group("mall a/2")
    assert all(c.isalnum() or c in "._-" for c in tenant_group("mall a/1", "stall #3"))


@pytest.mark.django_db(transaction=True)
def test_sent_after_commit_and_never_for_a_rollback():
    layer = RecordingLayer()
    with transaction.atomic():
        broadcast_order_event("new_order", ORDER, channel_layer=layer)
        assert layer.sent == []
    assert len(layer.sent) == 2
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            broadcast_order_event("new_order", ORDER, channel_layer=layer)
            raise RuntimeError("the order was not saved")
    assert len(layer.sent) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("order", [{"outlet_id": 1}, {"outlet_id": 1, "order_id": ""},
                                   {"outlet_id": 1, "order_id": None}])
def test_an_order_without_its_order_id_is_refused_and_not_logged(order):
    from kitchen_sync.events import publish_order_event
    from kitchen_sync.models import OutletEvent

    with pytest.raises(KitchenSyncError) as caught:
        publish_order_event("new_order", order)
    assert caught.value.code == "invalid_payload" and "order_id" in caught.value.message
    assert OutletEvent.objects.count() == 0
