"""A recall at the outlet (protocol v1.1) reaches central's orders: the outlet's decision on
an order both sides hold stands, a change made while apart keeps the first final status."""

import json
import uuid

import pytest
from django.db import transaction

from kitchen_sync.events import publish_order_event
from kitchen_sync.models import OutletEvent
from kitchen_sync.order_status import outlet_change_applies, reopens
from kitchen_sync.tokens import mint_relay_credential
from menu.models import Order

from .orders import protocol_order

pytestmark = pytest.mark.django_db

URL = "/api/kitchen-sync/relay/upload/"


class RelayLog:
    """One relay log of one order, uploaded as the relay's uplink does: in seq order."""

    def __init__(self):
        self.order = protocol_order()
        self.order_id = self.order["order_id"]
        self.events = []

    def log(self, event_type, status, event_id=None, **state):
        self.order = {**self.order, "status": status, **state}
        self.events.append(
            {
                "seq": len(self.events) + 1,
                "event_id": event_id or str(uuid.uuid4()),
                "type": event_type,
                "outlet_id": 1,
                "tenant_id": 1,
                "order_id": self.order_id,
                "data": self.order,
                "ts": "2026-12-06T10:00:00.000Z",
            }
        )
        return self

    def served(self):
        """Published, then bumped through to completed."""
        return (
            self.log("new_order", "pending")
            .log("order_updated", "preparing")
            .log("order_updated", "ready")
            .log("order_completed", "completed")
        )

    def upload(self, client):
        """Sends what central has not confirmed yet (central passes over the rest)."""
        response = client.post(
            URL,
            data=json.dumps({"outlet_id": 1, "epoch": "epoch-a", "events": self.events}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {mint_relay_credential(outlet=1)}",
        )
        assert response.status_code == 200, response.content
        return response.json()


def central_changes(order_id, status):
    """A change made at central (a call centre, a delivery app): logged for the downlink, as the
    test project's central-status endpoint does. Returns central's event id."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(order_id=order_id)
        order.move_to(status)
        event_type = {"cancelled": "order_cancelled", "completed": "order_completed"}
        envelope, _, _ = publish_order_event(
            event_type.get(status, "order_updated"), {**order.payload, "status": status}
        )
    return envelope["event_id"]


def central_order(order_id):
    return Order.objects.get(order_id=order_id)


def conflicts():
    return list(OutletEvent.objects.exclude(conflict="").order_by("seq").values_list("type", "conflict"))


def test_a_recall_then_a_cancel_at_the_outlet_cancel_the_order_at_central(client):
    relay = RelayLog().served()
    relay.upload(client)
    relay.log("order_recalled", "preparing")
    relay.log("order_cancelled", "cancelled", status_reason="wrong dish, refunded")
    assert relay.upload(client)["conflicts"] == 0
    order = central_order(relay.order_id)
    assert (order.status, order.status_reason) == ("cancelled", "wrong dish, refunded")
    assert order.payload["status"] == "cancelled"
    assert conflicts() == []


def test_a_recall_in_the_same_batch_as_the_completion_applies_too(client):
    relay = RelayLog().served().log("order_recalled", "preparing")
    relay.log("order_cancelled", "cancelled", status_reason="wrong dish, refunded")
    relay.upload(client)
    assert central_order(relay.order_id).status == "cancelled"


def test_a_recalled_ready_order_goes_back_to_preparing_without_a_conflict(client):
    relay = RelayLog().log("new_order", "pending").log("order_updated", "preparing")
    relay.log("order_updated", "ready").log("order_recalled", "preparing")
    assert relay.upload(client)["conflicts"] == 0
    assert central_order(relay.order_id).status == "preparing"
    relay.log("order_updated", "ready").log("order_completed", "completed")
    relay.upload(client)
    assert central_order(relay.order_id).status == "completed"
    assert conflicts() == []


def test_a_status_that_goes_back_without_a_recall_is_still_a_conflict(client):
    relay = RelayLog().served()
    relay.upload(client)
    relay.log("order_updated", "preparing")
    assert relay.upload(client)["conflicts"] == 1
    assert central_order(relay.order_id).status == "completed"


def test_a_completion_made_at_central_while_the_outlet_recalled_apart_stays(client, in_memory_layer):
    relay = RelayLog().log("new_order", "pending").log("order_updated", "preparing")
    relay.log("order_updated", "ready")
    relay.upload(client)
    # A delivery app confirmed the hand-over at central while the outlet, cut off, recalled
    # the ready order and then cancelled it.
    central_changes(relay.order_id, "completed")
    relay.log("order_recalled", "preparing").log("order_cancelled", "cancelled", status_reason="x")
    assert relay.upload(client)["conflicts"] == 2
    assert central_order(relay.order_id).status == "completed"
    assert conflicts() == [
        ("order_recalled", f"order {relay.order_id}: completed -> preparing"),
        ("order_cancelled", f"order {relay.order_id}: completed -> cancelled"),
    ]


def test_a_cancel_made_at_central_is_not_undone_by_a_recall_made_apart(client, in_memory_layer):
    relay = RelayLog().log("new_order", "pending").log("order_updated", "preparing")
    relay.upload(client)
    central_changes(relay.order_id, "cancelled")
    relay.log("order_updated", "ready").log("order_recalled", "preparing")
    relay.upload(client)
    assert central_order(relay.order_id).status == "cancelled"
    assert [kind for kind, _ in conflicts()] == ["order_updated", "order_recalled"]


def test_a_recall_of_centrals_completion_once_it_reached_the_outlet_applies(client, in_memory_layer):
    relay = RelayLog().log("new_order", "pending").log("order_updated", "preparing")
    relay.log("order_updated", "ready")
    relay.upload(client)
    completed_at_central = central_changes(relay.order_id, "completed")
    # The downlink wrote central's event into the relay's log under its id; the kitchen then
    # recalled the completed ticket and the POS cancelled it.
    relay.log("order_completed", "completed", event_id=completed_at_central)
    relay.log("order_recalled", "preparing")
    relay.log("order_cancelled", "cancelled", status_reason="wrong dish, refunded")
    answer = relay.upload(client)
    assert (answer["applied"], answer["duplicates"], answer["conflicts"]) == (2, 4, 0)
    assert central_order(relay.order_id).status == "cancelled"
    echo = OutletEvent.objects.get(event_id=completed_at_central)
    assert (echo.source, echo.relay_epoch, echo.relay_seq) == ("central", "epoch-a", 4)


def test_a_recall_applies_when_the_outlet_had_centrals_status_already(client, in_memory_layer):
    # Central marks it preparing (a call centre) just as the kitchen does: the relay's downlink
    # takes central's change as a duplicate and never logs it, so it never comes back. The
    # relay's own preparing, ready and completed set central's status after it.
    relay = RelayLog().log("new_order", "pending")
    relay.upload(client)
    central_changes(relay.order_id, "preparing")
    relay.log("order_updated", "preparing").log("order_updated", "ready")
    relay.log("order_completed", "completed")
    relay.upload(client)
    relay.log("order_recalled", "preparing")
    relay.log("order_cancelled", "cancelled", status_reason="wrong dish, refunded")
    relay.upload(client)
    assert central_order(relay.order_id).status == "cancelled"
    assert conflicts() == []


def test_a_recall_logged_before_centrals_change_came_back_is_a_conflict(client, in_memory_layer):
    relay = RelayLog().log("new_order", "pending").log("order_updated", "preparing")
    relay.log("order_updated", "ready")
    relay.upload(client)
    completed_at_central = central_changes(relay.order_id, "completed")
    # The recall came first in the outlet's log; central's completion reached it only after.
    relay.log("order_recalled", "preparing")
    relay.log("order_completed", "completed", event_id=completed_at_central)
    assert relay.upload(client)["conflicts"] == 1
    assert central_order(relay.order_id).status == "completed"


def test_the_reason_and_the_payload_follow_every_applied_status(client):
    relay = RelayLog().log("new_order", "pending").log("order_updated", "preparing")
    relay.upload(client)
    assert central_order(relay.order_id).payload["status"] == "preparing"
    relay.log("order_cancelled", "cancelled", status_reason="guest left")
    relay.upload(client)
    order = central_order(relay.order_id)
    assert (order.status, order.status_reason, order.payload["status"]) == (
        "cancelled", "guest left", "cancelled",
    )


def test_an_order_central_first_sees_cancelled_keeps_its_reason(client):
    relay = RelayLog().log("order_cancelled", "cancelled", status_reason="guest left")
    relay.upload(client)
    assert central_order(relay.order_id).status_reason == "guest left"


@pytest.mark.parametrize(
    ("current", "new", "event_type", "expected"),
    [
        ("completed", "preparing", "order_recalled", True),
        ("ready", "preparing", "order_recalled", True),
        ("cancelled", "preparing", "order_recalled", False),
        ("preparing", "preparing", "order_recalled", False),
        ("completed", "preparing", "order_updated", False),
        ("completed", "bogus", "order_recalled", False),
    ],
)
def test_only_a_recall_of_a_ready_or_completed_order_reopens_it(current, new, event_type, expected):
    assert reopens(current, new, event_type) is expected


def test_the_outlet_log_is_read_only_for_a_recall():
    asked = []

    def had():
        asked.append(True)
        return False

    assert outlet_change_applies("ready", "completed", "order_completed", had) is True
    assert outlet_change_applies("completed", "preparing", "order_recalled", had) is False
    assert asked == [True]


def test_a_web_order_with_an_upper_case_id_keeps_centrals_completion_against_a_recall_apart(
    client, in_memory_layer
):
    # The web shop spells its UUIDs in capitals; the relay logs them in lower case (as RFC 9562
    # prints them), so central must find its own changes to the order under either spelling.
    relay = RelayLog()
    relay.order = {**relay.order, "order_id": relay.order_id.upper()}
    booked = client.post(
        "/api/public/order-groups/",
        data=json.dumps({"outlet_id": 1, "orders": [relay.order]}),
        content_type="application/json",
    )
    assert booked.status_code == 201
    new_order = OutletEvent.objects.get(type="new_order")
    assert new_order.order_id == relay.order_id
    # Central's order reached the relay through the downlink and comes back up, then the
    # kitchen's work on it.
    relay.order = {**relay.order, "order_id": relay.order_id}
    relay.log("new_order", "pending", event_id=new_order.event_id)
    relay.log("order_updated", "preparing").log("order_updated", "ready")
    assert relay.upload(client)["duplicates"] == 1
    central_changes(relay.order_id, "completed")
    relay.log("order_recalled", "preparing").log("order_cancelled", "cancelled", status_reason="x")
    assert relay.upload(client)["conflicts"] == 2
    assert central_order(relay.order_id).status == "completed"
