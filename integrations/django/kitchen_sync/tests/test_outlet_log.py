"""record_event: central's own changes enter the outlet log once, in seq order."""

import uuid

import pytest

from kitchen_sync.errors import KitchenSyncError
from kitchen_sync.events import build_envelope
from kitchen_sync.models import OutletEvent
from kitchen_sync.outlet_log import record_event

from .orders import protocol_order

pytestmark = pytest.mark.django_db


def envelope(event_type="new_order", order_id=None, outlet=1):
    status = "pending" if event_type == "new_order" else "preparing"
    order_id = order_id or str(uuid.uuid4())
    return build_envelope(event_type, protocol_order(2, outlet, status, order_id=order_id))


def test_events_get_consecutive_seqs_per_outlet():
    rows = [record_event(envelope(outlet=o), source="central")[0] for o in (1, 1, 2, 1)]
    assert [(r.outlet_id, r.seq) for r in rows] == [("1", 1), ("1", 2), ("2", 1), ("1", 3)]


def test_a_repeated_event_id_is_not_logged_twice():
    event = envelope()
    first, created = record_event(event, source="central")
    again, created_again = record_event(dict(event), source="relay")
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_a_second_new_order_for_one_order_id_is_a_duplicate_but_a_status_change_is_not():
    order_id = str(uuid.uuid4())
    record_event(envelope(order_id=order_id), source="central")
    _, created = record_event(envelope(order_id=order_id), source="relay")
    _, updated = record_event(envelope("order_updated", order_id=order_id), source="relay")
    assert (created, updated) == (False, True)
    assert OutletEvent.objects.count() == 2


def test_an_event_without_an_outlet_is_invalid_payload():
    event = envelope()
    del event["outlet_id"]
    with pytest.raises(KitchenSyncError) as raised:
        record_event(event, source="central")
    assert raised.value.code == "invalid_payload"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda e: e["data"].update(total_amount=50000), "data.total_amount"),
        (lambda e: e.update(event_id="e-1"), "event_id"),
        (lambda e: e.pop("ts"), "ts"),
        (lambda e: e.update(type="kitchen_status_changed"), "type"),
    ],
)
def test_an_envelope_central_built_is_checked_before_it_is_logged(mutate, path):
    # What publish_order_event checks, for an envelope built some other way.
    event = envelope()
    mutate(event)
    with pytest.raises(KitchenSyncError) as raised:
        record_event(event, source="central")
    assert raised.value.code == "invalid_payload"
    assert path in [issue["path"] for issue in raised.value.details["issues"]]
    assert OutletEvent.objects.count() == 0


def test_an_envelope_central_built_is_logged_as_the_protocol_writes_it():
    from decimal import Decimal

    event = envelope()
    event["data"]["total_amount"] = Decimal("50000.50")
    row, _ = record_event(event, source="central")
    row.refresh_from_db()
    assert row.envelope["data"]["total_amount"] == "50000.50"
    with pytest.raises(KitchenSyncError) as raised:
        record_event(["not", "an", "event"], source="central")
    assert raised.value.code == "invalid_payload"
