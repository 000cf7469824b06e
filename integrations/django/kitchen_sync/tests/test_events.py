"""broadcast_order_event: fresh ids, JSON-safe data, sent only after commit; an event the
protocol refuses is neither sent nor logged."""

import datetime
import hashlib
import re
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from kitchen_sync.errors import KitchenSyncError
from kitchen_sync.events import broadcast_order_event, build_envelope, outlet_group, tenant_group

from .orders import protocol_order

ORDER = {
    **protocol_order(tenant=3),
    "order_id": uuid.UUID("0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b"),
    "total_amount": Decimal("150000.50"),
    "created_at": datetime.datetime(2025, 1, 3, 8, 0, tzinfo=datetime.timezone.utc),
}


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
    envelope = build_envelope("new_order", ORDER)
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


@pytest.mark.parametrize(
    "ids",
    [
        # Outlet "1_t_2" is not outlet 1's tenant-2 group (the audit's cross-outlet leak).
        (("1_t_2",), (1, 2)),
        (("a_t_b", "c"), ("a", "b_t_c")),
        (("a.b",), ("a_b",)),
        # An id that spells a digest is not the digest of another id.
        (("h." + hashlib.sha256(b"x y").hexdigest()[:32],), ("x y",)),
        (("1", "h." + hashlib.sha256(b"x y").hexdigest()[:32]), ("1", "x y")),
    ],
)
def test_group_names_of_different_ids_never_collide(ids):
    first, second = (outlet_group(*i) if len(i) == 1 else tenant_group(*i) for i in ids)
    assert first != second


def test_group_names_are_what_channels_accepts_for_the_longest_ids():
    longest = "\u00e9" * 64
    for name in (outlet_group(longest), tenant_group(longest, longest), tenant_group(1, "x" * 64)):
        assert re.fullmatch(r"[A-Za-z0-9._-]{1,99}", name), name
    # Outlet 1 and outlet "1" are one outlet (the protocol compares ids by their string form).
    assert outlet_group(1) == outlet_group("1") == "outlet_1"


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


def refusal_of(send, event_type, order, **kwargs):
    with pytest.raises(KitchenSyncError) as caught:
        send(event_type, order, **kwargs)
    return caught.value


REFUSED = [
    ({**ORDER, "total_amount": 150000}, "total_amount"),
    ({**ORDER, "items": [{"product_id": 1, "name": "Es teh", "quantity": 0}]}, "items.0.quantity"),
    ({**ORDER, "tenant_id": None}, "tenant_id"),
    ({**ORDER, "created_at": datetime.datetime(2025, 1, 3, 8, 0)}, "created_at"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("order", "path"), REFUSED)
def test_an_order_the_protocol_refuses_is_neither_logged_nor_sent(order, path):
    from asgiref.sync import async_to_sync

    from kitchen_sync.events import abroadcast_order_event, publish_order_event
    from kitchen_sync.models import OutletEvent

    layer = RecordingLayer()
    for send in (publish_order_event, broadcast_order_event, async_to_sync(abroadcast_order_event)):
        error = refusal_of(send, "new_order", order, channel_layer=layer)
        assert error.code == "invalid_payload"
        assert path in [issue["path"] for issue in error.details["issues"]], error.details
        assert error.message.startswith(error.details["issues"][0]["path"])
    assert OutletEvent.objects.count() == 0 and layer.sent == []
    # The same call with the order as the protocol has it is logged and sent.
    publish_order_event("new_order", ORDER, channel_layer=layer)
    assert OutletEvent.objects.count() == 1 and len(layer.sent) == 2


ITEM = {"product_id": 1, "name": "Es teh", "quantity": 1}


# A kiosk highlights the refused field from its path: whichever check refused it, a field of
# the order is named as the relay names it in an order a POS publishes (items.1.name), not
# within the envelope central wraps it in (data.items.1.name) nor as items[1].name.
@pytest.mark.parametrize(("item", "path"), [
    ({**ITEM, "name": 7}, "items.1.name"),  # the schema
    ({**ITEM, "name": "Es teh\x00"}, "items.1.name"),  # the text no database stores
    ({**ITEM, "__proto__": {}}, "items.1.__proto__"),  # the prototype keys
    ({**ITEM, "tags": {"a\x00": 1}}, "items.1.tags.a\x00"),  # a key no database stores
])
def test_issues_name_the_orders_fields_as_the_relay_does(item, path):
    error = refusal_of(build_envelope, "new_order", {**ORDER, "items": [ITEM, item]})
    assert error.code == "invalid_payload"
    assert [issue["path"] for issue in error.details["issues"]] == [path]
    assert error.message.startswith(f"{path}: ")


@pytest.mark.django_db
def test_a_new_order_must_arrive_as_pending():
    from kitchen_sync.events import publish_order_event

    error = refusal_of(publish_order_event, "new_order", {**ORDER, "status": "preparing"})
    assert error.code == "invalid_transition"
    assert error.details["issues"] == [
        {"path": "status", "message": "a new order must arrive as pending"}
    ]


@pytest.mark.django_db
def test_a_status_event_carries_its_status():
    from kitchen_sync.events import publish_order_event

    assert refusal_of(publish_order_event, "order_cancelled", {**ORDER, "status": "pending"}).code == (
        "invalid_payload"
    )
    envelope, _, created = publish_order_event("order_cancelled", {**ORDER, "status": "cancelled"})
    assert created and envelope["type"] == "order_cancelled"


@pytest.mark.django_db
def test_presence_is_broadcast_but_never_logged():
    from kitchen_sync.events import publish_order_event
    from kitchen_sync.models import OutletEvent

    presence = {"kitchen_id": "kds-grill", "status": "connected", "outlet_id": 1, "tenant_id": 3,
                "timestamp": "2026-01-03T08:00:00Z"}
    error = refusal_of(publish_order_event, "kitchen_status_changed", presence)
    assert [issue["path"] for issue in error.details["issues"]] == ["type"]
    assert OutletEvent.objects.count() == 0
    layer = RecordingLayer()
    broadcast_order_event("kitchen_status_changed", presence, channel_layer=layer, on_commit=False)
    assert len(layer.sent) == 2


def test_an_order_larger_than_the_relays_take_is_too_large(settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "MAX_MESSAGE_BYTES": 2000}
    build_envelope("new_order", {**ORDER, "extension": "x" * 1000})
    error = refusal_of(build_envelope, "new_order", {**ORDER, "extension": "x" * 2000})
    assert error.code == "too_large"


def test_the_envelopes_time_is_utc_without_use_tz(settings):
    settings.USE_TZ = False
    assert build_envelope("new_order", ORDER)["ts"].endswith("Z")
