"""An outlet socket without ?since= (a new kitchen tablet, or one whose browser data was cleared),
or one reset, gets the outlet's open orders as central has them before caught_up, unless the
outlet's relay is delivering them: with the relay PC down and central up, the kitchen shows the
orders already open, not only those made after it connected."""

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitchen_sync import consumers, outlet_contact
from kitchen_sync.checks import check_relay_delivering_within
from kitchen_sync.events import publish_order_event
from kitchen_sync.models import OutletContact, OutletEvent
from kitchen_sync.open_orders import open_order_candidates, open_order_envelopes
from kitchen_sync.outlet_log import record_event
from kitchen_sync.tokens import mint_relay_credential, mint_socket_token

from .orders import protocol_order
from .sockets import frames_until_caught_up, next_json, open_socket, run, socket_path

# transaction=True: the consumer reads the log through database_sync_to_async, which closes
# a connection that is inside the test's transaction.
pytestmark = [pytest.mark.usefixtures("in_memory_layer"), pytest.mark.django_db(transaction=True)]

DOWNLINK = "/api/kitchen-sync/relay/downlink/"


@pytest.fixture(autouse=True)
def no_writes_remembered():
    outlet_contact.forget_written()
    yield
    outlet_contact.forget_written()


def publish(event_type, order, **changes):
    """Central's change: ``order`` updated with ``changes``; returns the logged envelope."""
    order.update(changes)
    return publish_order_event(event_type, dict(order))[0]


def from_relay(event_type, order, relay_seq, **changes):
    """The relay's upload of the outlet's change, as its log has it (with the relay's seq)."""
    order.update(changes)
    envelope = {
        "seq": relay_seq,
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "outlet_id": order["outlet_id"],
        "tenant_id": order.get("tenant_id"),
        "order_id": order["order_id"],
        "data": dict(order),
        "ts": "2026-01-03T08:05:00.000Z",
    }
    record_event(envelope, source="relay", relay_epoch="epoch-a", relay_seq=relay_seq)
    return envelope


def opened(path):
    """The frames a socket at ``path`` gets before caught_up, and the head."""
    got = {}

    async def body():
        socket, connected, code = await open_socket(path)
        assert connected, code
        got["frames"], got["head"] = await frames_until_caught_up(socket)
        await socket.disconnect()

    run(body)
    return got["frames"], got["head"]


def order_ids(frames):
    return [frame["data"]["order_id"] for frame in frames]


def head_seq():
    return OutletEvent.objects.order_by("-seq").values_list("seq", flat=True).first()


def test_a_fresh_socket_gets_the_open_orders_as_they_stand_and_not_the_finished_ones():
    pending = protocol_order()
    new = publish("new_order", pending)
    cooking = protocol_order()
    publish("new_order", cooking)
    cooking_now = publish("order_updated", cooking, status="preparing")
    done = protocol_order()
    publish("new_order", done)
    publish("order_completed", done, status="completed")
    # An acknowledgement after the completion: the type says nothing, the status does.
    publish("order_acknowledged", done, acknowledged_by=["kds-1"])
    dropped = protocol_order()
    publish("new_order", dropped)
    publish("order_cancelled", dropped, status="cancelled")
    acked = protocol_order()
    publish("new_order", acked)
    acked_now = publish("order_acknowledged", acked, acknowledged_by=["kds-1"])
    # The relay's uploads carry the outlet's own changes: the one it finished is not open,
    # the one it started cooking is, as the relay has it, without the relay's seq.
    bumped = protocol_order()
    publish("new_order", bumped)
    from_relay("order_completed", bumped, 11, status="completed")
    started = protocol_order()
    publish("new_order", started)
    relayed = from_relay("order_updated", started, 12, status="ready")

    frames, head = opened(socket_path())

    assert head == head_seq()
    expected = [new, cooking_now, acked_now, {k: v for k, v in relayed.items() if k != "seq"}]
    assert frames == [{"event": e["type"], "data": e} for e in expected]
    assert all("seq" not in frame and "seq" not in frame["data"] for frame in frames)


def test_a_tenants_socket_gets_only_its_tenants_open_orders():
    mine = protocol_order(tenant=2)
    publish("new_order", mine)
    publish("new_order", protocol_order(tenant=1))
    # An event without a tenant reaches outlet-wide sockets only, as live.
    publish("order_updated", protocol_order(tenant=None), status="preparing")
    theirs_relayed = protocol_order(tenant=3)
    publish("new_order", theirs_relayed)
    from_relay("order_updated", theirs_relayed, 1, status="preparing")

    token = mint_socket_token(device="kds-2", role="kitchen", outlet=1, tenants=[2])
    assert order_ids(opened(socket_path(token=token))[0]) == [mine["order_id"]]
    # ?tenant= narrows an outlet-wide token the same way; outlet-wide, every one of them.
    assert order_ids(opened(socket_path(tenant="3"))[0]) == [theirs_relayed["order_id"]]
    assert len(opened(socket_path())[0]) == 4


def test_another_outlets_orders_are_not_sent():
    publish("new_order", protocol_order(outlet=2))
    mine = protocol_order(outlet=1)
    publish("new_order", mine)
    assert order_ids(opened(socket_path(outlet=1))[0]) == [mine["order_id"]]


def test_a_reset_socket_gets_them_after_the_reset():
    open_one = protocol_order()
    publish("new_order", open_one)
    done = protocol_order()
    publish("new_order", done)
    completed = publish("order_completed", done, status="completed")
    head = head_seq()

    async def body():
        socket = (await open_socket(socket_path(since=head + 10)))[0]
        assert await next_json(socket) == {
            "type": "reset", "seq": head, "event_id": completed["event_id"]
        }
        frames, caught_up = await frames_until_caught_up(socket)
        assert (order_ids(frames), caught_up) == ([open_one["order_id"]], head)
        await socket.disconnect()

    run(body)


def test_a_socket_that_resumes_gets_its_replay_not_the_open_orders():
    publish("new_order", protocol_order())
    since = head_seq()
    later = protocol_order()
    envelope = publish("new_order", later)
    frames, _ = opened(socket_path(since=since))
    assert frames == [{"event": "new_order", "data": envelope, "seq": since + 1}]


def contact(downlink_ago=None, delivery_via="downlink"):
    now = timezone.now()
    return OutletContact.objects.create(
        outlet_id="1",
        first_seen_at=now - timedelta(hours=1),
        last_seen_at=now,
        last_seen_via=delivery_via,
        last_delivery_at=now,
        last_delivery_via=delivery_via,
        last_downlink_at=None if downlink_ago is None else now - downlink_ago,
    )


class TestOnlyWhileTheRelayIsNotDelivering:
    def test_a_relay_that_polled_the_downlink_within_a_minute_leaves_them_to_its_snapshot(self):
        publish("new_order", protocol_order())
        contact(downlink_ago=timedelta(seconds=50))
        assert opened(socket_path()) == ([], head_seq())
        OutletContact.objects.update(last_downlink_at=timezone.now() - timedelta(seconds=70))
        assert len(opened(socket_path())[0]) == 1

    def test_an_answered_poll_is_what_counts(self, client):
        publish("new_order", protocol_order())
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {mint_relay_credential(outlet=1)}"}
        assert client.get(DOWNLINK, **bearer).status_code == 200
        assert opened(socket_path()) == ([], head_seq())

    def test_a_kitchen_socket_on_central_is_not_the_relay_delivering(self):
        publish("new_order", protocol_order())
        # Kitchens on central's socket alone (the relay PC down) keep the delivery contact fresh.
        contact(downlink_ago=timedelta(minutes=5), delivery_via="socket")
        assert len(opened(socket_path())[0]) == 1

    def test_a_relay_whose_downlink_never_answered_is_not_delivering(self):
        publish("new_order", protocol_order())
        contact(delivery_via="upload")
        assert len(opened(socket_path())[0]) == 1

    def test_the_limit_is_a_setting(self, settings):
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "RELAY_DELIVERING_WITHIN": 120}
        publish("new_order", protocol_order())
        contact(downlink_ago=timedelta(seconds=90))
        assert opened(socket_path())[0] == []

    def test_a_limit_the_contact_writes_can_miss_is_a_system_check_warning(self, settings):
        assert check_relay_delivering_within() == []
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "RELAY_DELIVERING_WITHIN": 30}
        assert [w.id for w in check_relay_delivering_within()] == ["kitchen_sync.W004"]


def test_a_downlink_poll_is_written_even_right_after_a_kitchen_sockets_contact(monkeypatch):
    """Each process writes one kind of contact per interval: a kitchen socket's delivery
    contact must not hide the relay's polls, or a delivering relay would look away."""
    now = [1000.0]
    monkeypatch.setattr(outlet_contact, "monotonic", lambda: now[0])
    contact(delivery_via="socket")
    assert outlet_contact.record_contact(1, "socket", delivers=True) is True
    now[0] += 1
    assert outlet_contact.record_contact(1, "downlink", delivers=True) is True
    assert outlet_contact.relay_delivering(1)
    now[0] += 1
    # Within the interval of its own kind, skipped as before.
    assert outlet_contact.record_contact(1, "downlink", delivers=True) is False


class TestTheWorkIsBounded:
    def test_only_orders_whose_latest_event_is_within_the_window(self, settings):
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "SOCKET_OPEN_ORDERS_WINDOW": 3600}
        stale, fresh, revived = protocol_order(), protocol_order(), protocol_order()
        publish("new_order", stale)
        publish("new_order", revived)
        two_hours_ago = timezone.now() - timedelta(hours=2)
        OutletEvent.objects.update(created_at=two_hours_ago)
        publish("new_order", fresh)
        publish("order_updated", revived, status="preparing")
        assert sorted(order_ids(opened(socket_path())[0])) == sorted(
            [fresh["order_id"], revived["order_id"]]
        )

    def test_the_default_window_is_twelve_hours(self):
        kept, gone = protocol_order(), protocol_order()
        publish("new_order", kept)
        publish("new_order", gone)
        OutletEvent.objects.filter(order_id=kept["order_id"]).update(
            created_at=timezone.now() - timedelta(hours=11)
        )
        OutletEvent.objects.filter(order_id=gone["order_id"]).update(
            created_at=timezone.now() - timedelta(hours=13)
        )
        assert order_ids(opened(socket_path())[0]) == [kept["order_id"]]

    def test_only_the_outlets_last_events_by_seq_are_read(self, settings):
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "SOCKET_OPEN_ORDERS_SCAN": 3}
        early, late, busy = protocol_order(), protocol_order(), protocol_order()
        publish("new_order", early)
        publish("new_order", busy)
        publish("new_order", late)
        publish("order_updated", busy, status="preparing")
        # Another outlet's events take no place in this outlet's scan.
        publish("new_order", protocol_order(outlet=2))
        publish("order_updated", busy, status="ready")
        # The last three: late, busy (preparing), busy (ready); early is beyond the scan.
        frames, _ = opened(socket_path())
        assert order_ids(frames) == [late["order_id"], busy["order_id"]]
        assert frames[-1]["data"]["data"]["status"] == "ready"

    def test_envelopes_are_read_only_for_each_orders_latest_event(self):
        orders = [protocol_order() for _ in range(3)]
        for order in orders:
            publish("new_order", order)
            publish("order_updated", order, status="preparing")
        head = head_seq()
        with CaptureQueriesContext(connection) as scan:
            candidates = open_order_candidates("1", None, head)
        assert len(scan) == 1
        assert "envelope" not in scan[0]["sql"] and "LIMIT 5000" in scan[0]["sql"]
        assert len(candidates) == 3
        assert [e["type"] for e in open_order_envelopes(candidates)] == ["order_updated"] * 3


def test_live_events_after_caught_up_are_as_before(monkeypatch):
    """One change commits after the socket joined its group but before it read the head: the
    open orders show it, and its live copy is not sent again; one after the read comes live."""
    first = protocol_order()
    publish("new_order", first)
    racing = {}
    read_bounds = consumers.log_bounds

    def bounds_with_writers_around(outlet_id):
        racing["before_read"] = publish("order_updated", first, status="preparing")
        bounds = read_bounds(outlet_id)
        racing["after_read"] = publish("order_updated", first, status="ready")
        return bounds

    monkeypatch.setattr(consumers, "log_bounds", bounds_with_writers_around)

    async def body():
        socket = (await open_socket(socket_path()))[0]
        frames, head = await frames_until_caught_up(socket)
        assert frames == [{"event": "order_updated", "data": racing["before_read"]}]
        live = await next_json(socket)
        assert live == {"event": "order_updated", "data": racing["after_read"], "seq": head + 1}
        later = protocol_order()
        envelope, seq, _ = await sync_to_async(publish_order_event)("new_order", later)
        assert await next_json(socket) == {"event": "new_order", "data": envelope, "seq": seq}
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(body)


def test_the_upgrade_counts_a_last_delivery_by_downlink_as_the_relays_poll():
    before = [("kitchen_sync", "0004_outlet_delivery_contact")]
    at = timezone.now() - timedelta(seconds=20)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("kitchen_sync", "OutletContact")
        for outlet, via in (("1", "downlink"), ("2", "socket")):
            old.objects.create(
                outlet_id=outlet, last_seen_at=at, last_seen_via=via,
                last_delivery_at=at, last_delivery_via=via,
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    polled, socket = OutletContact.objects.order_by("outlet_id")
    assert (polled.last_downlink_at, socket.last_downlink_at) == (at, None)
