"""Central knows when each outlet last reached it, and refuses new orders for an outlet that
has been out of contact longer than OUTLET_OFFLINE_AFTER (503 outlet_offline)."""

import json
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kitchen_sync import outlet_contact, views
from kitchen_sync.checks import check_offline_after
from kitchen_sync.errors import KitchenSyncError
from kitchen_sync.events import publish_order_event
from kitchen_sync.models import IdempotentRequest, OutletContact, OutletEvent
from kitchen_sync.tokens import mint_relay_credential, mint_relay_token, mint_socket_token
from menu.models import Order

from .orders import protocol_order
from .sockets import next_json, open_live, run, socket_path

ORDERS = "/api/public/order-groups/"
UPLOAD = "/api/kitchen-sync/relay/upload/"
DOWNLINK = "/api/kitchen-sync/relay/downlink/"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The throttle's clock, moved by hand; each test starts with no write remembered."""
    now = [1000.0]
    monkeypatch.setattr(outlet_contact, "monotonic", lambda: now[0])
    outlet_contact.forget_written()
    yield now
    outlet_contact.forget_written()


def seen(outlet="1", ago=timedelta(0), via="downlink"):
    """A row as central writes it, last contact ``ago``: a downlink poll (the default) or a
    kitchen socket is also the last delivery contact; an upload had none, ever."""
    at = timezone.now() - ago
    delivered = via != "upload"
    return OutletContact.objects.create(
        outlet_id=outlet,
        first_seen_at=at,
        last_seen_at=at,
        last_seen_via=via,
        last_delivery_at=at if delivered else None,
        last_delivery_via=via if delivered else "",
    )


def age(ago):
    """Every contact of every row, the relay's first included, as if it was ``ago`` ago."""
    at = timezone.now() - ago
    OutletContact.objects.update(first_seen_at=at, last_seen_at=at)
    OutletContact.objects.exclude(last_delivery_at=None).update(last_delivery_at=at)


def order_group(client, outlet=1, key=None):
    order_id = str(uuid.uuid4())
    body = json.dumps({"outlet_id": outlet, "orders": [protocol_order(outlet=outlet, order_id=order_id)]})
    return client.post(
        ORDERS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or order_id
    )


def bearer(outlet=1):
    return {"HTTP_AUTHORIZATION": f"Bearer {mint_relay_credential(outlet=outlet)}"}


def poll(client, outlet=1):
    return client.get(DOWNLINK, **bearer(outlet))


def empty_upload(client, outlet=1, headers=None):
    body = json.dumps({"outlet_id": outlet, "epoch": "epoch-a", "events": []})
    return client.post(UPLOAD, body, content_type="application/json", **(headers or bearer(outlet)))


@pytest.mark.django_db
class TestTheOrderGuard:
    def test_an_outlet_out_of_contact_for_two_days_gets_no_order(self, client, in_memory_layer):
        contact = seen(ago=timedelta(days=2))
        answer = order_group(client)
        assert answer.status_code == 503
        error = answer.json()["error"]
        assert error["code"] == "outlet_offline"
        assert error["reason"] == "no_contact"
        assert error["last_seen_at"] == outlet_contact.wire_time(contact.last_seen_at)
        assert error["last_delivery_at"] == error["last_seen_at"]
        # Nothing booked, nothing for the kitchen to get 48 hours late, no key kept.
        assert (Order.objects.count(), OutletEvent.objects.count()) == (0, 0)
        assert IdempotentRequest.objects.count() == 0

    def test_the_same_order_books_once_the_outlet_is_back(self, client, in_memory_layer):
        seen(ago=timedelta(days=2))
        key = str(uuid.uuid4())
        assert order_group(client, key=key).status_code == 503
        assert poll(client).status_code == 200
        assert order_group(client, key=key).status_code == 201
        assert Order.objects.count() == 1

    def test_an_outlet_seen_within_the_limit_takes_orders(self, client, in_memory_layer, settings):
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "OUTLET_OFFLINE_AFTER": 300}
        seen(ago=timedelta(seconds=240))
        assert order_group(client).status_code == 201
        age(timedelta(seconds=360))
        assert order_group(client).status_code == 503

    def test_the_default_limit_is_ten_minutes(self, client, in_memory_layer):
        seen(ago=timedelta(minutes=9))
        assert order_group(client).status_code == 201
        age(timedelta(minutes=11))
        assert order_group(client).status_code == 503

    def test_an_outlet_never_seen_is_not_guarded(self, client, in_memory_layer):
        seen(outlet="2", ago=timedelta(days=2))
        assert order_group(client, outlet=1).status_code == 201

    def test_none_turns_the_guard_off(self, client, in_memory_layer, settings):
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "OUTLET_OFFLINE_AFTER": None}
        seen(ago=timedelta(days=2))
        assert order_group(client).status_code == 201

    @pytest.mark.parametrize("value", [0, -5, "600", True])
    def test_a_limit_that_is_not_a_positive_number_is_a_configuration_error(self, settings, value):
        settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "OUTLET_OFFLINE_AFTER": value}
        with pytest.raises(ImproperlyConfigured):
            outlet_contact.require_outlet_online(1)
        assert [e.id for e in check_offline_after()] == ["kitchen_sync.E001"]

    def test_only_new_orders_are_refused(self, in_memory_layer):
        order = protocol_order()
        publish_order_event("new_order", order)
        seen(ago=timedelta(days=2))
        # A repeat of a logged order is the logged one; a cancel made at central is kept for
        # the outlet's return.
        assert publish_order_event("new_order", order)[2] is False
        cancel = publish_order_event("order_cancelled", {**order, "status": "cancelled"})
        assert cancel[2] is True
        with pytest.raises(KitchenSyncError) as refused:
            publish_order_event("new_order", protocol_order())
        assert refused.value.code == "outlet_offline"
        assert OutletEvent.objects.count() == 2


@pytest.mark.django_db
class TestTheRelayIsContact:
    def test_a_downlink_poll_and_an_upload_are_contact(self, client, clock):
        assert poll(client).status_code == 200
        assert OutletContact.objects.get(outlet_id="1").last_seen_via == "downlink"
        clock[0] += 31
        assert empty_upload(client).status_code == 200
        assert OutletContact.objects.get(outlet_id="1").last_seen_via == "upload"

    def test_a_request_without_a_valid_credential_is_not_contact(self, client):
        wrong = {"HTTP_AUTHORIZATION": f"Bearer {mint_relay_token(device='kds', role='kitchen', outlet=1)}"}
        assert empty_upload(client, headers=wrong).status_code == 401
        assert client.get(DOWNLINK, **wrong).status_code == 401
        assert not OutletContact.objects.exists()

    def test_writes_are_at_most_one_per_interval_per_outlet(self, client, clock):
        poll(client)
        long_ago = timezone.now() - timedelta(hours=1)
        OutletContact.objects.update(last_seen_at=long_ago)
        clock[0] += 29
        poll(client)
        poll(client, outlet=2)
        assert OutletContact.objects.get(outlet_id="1").last_seen_at == long_ago
        assert OutletContact.objects.filter(outlet_id="2").exists()
        clock[0] += 2
        poll(client)
        assert OutletContact.objects.get(outlet_id="1").last_seen_at > long_ago

    def test_a_database_failure_loses_the_write_not_the_request(self, monkeypatch):
        def down(outlet, via, delivers, downlink_since=None):
            raise OperationalError("the database is down")

        with monkeypatch.context() as patched:
            patched.setattr(outlet_contact, "_store", down)
            assert outlet_contact.record_contact(1, "downlink") is False
        # Not remembered as written: the next contact writes at once.
        assert outlet_contact.record_contact(1, "downlink") is True


# transaction=True: migrations run outside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_upgrade_counts_a_last_downlink_poll_as_delivery_and_refuses_no_one():
    before = [("kitchen_sync", "0003_outlet_contact")]
    after = [("kitchen_sync", "0004_outlet_delivery_contact")]
    two_days_ago = timezone.now() - timedelta(days=2)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("kitchen_sync", "OutletContact")
        old.objects.create(outlet_id="1", last_seen_at=two_days_ago, last_seen_via="downlink")
        old.objects.create(outlet_id="2", last_seen_at=timezone.now(), last_seen_via="upload")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        # And on to the latest, so the models of the tests after this one have their columns.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    polled, uploaded = OutletContact.objects.order_by("outlet_id")
    assert (polled.last_delivery_at, polled.last_delivery_via) == (two_days_ago, "downlink")
    # Its relay's uploads had no delivery contact on record: counted from the upgrade.
    assert (uploaded.last_delivery_at, uploaded.last_delivery_via) == (None, "")
    assert outlet_contact.offline_reason(uploaded) is None
    assert outlet_contact.offline_reason(polled) == "no_contact"


@pytest.mark.django_db
def test_the_admin_lists_last_contact_and_whether_the_outlet_is_offline(admin_client):
    seen(outlet="7", ago=timedelta(days=2))
    seen(outlet="8")
    seen(outlet="9", ago=timedelta(days=2), via="upload")
    OutletContact.objects.filter(outlet_id="9").update(last_seen_at=timezone.now())
    page = admin_client.get("/admin/kitchen_sync/outletcontact/").content.decode()
    assert "7" in page and "8" in page and "9" in page
    assert page.count('alt="True"') == 2 and page.count('alt="False"') == 1
    assert "no_contact" in page and "no_delivery" in page


def broken_log(*args, **kwargs):
    raise OperationalError("the outlet log cannot be read")


@pytest.mark.django_db
class TestOnlyADeliveryContactKeepsTheOutletOnline:
    """The uplink and the downlink fail separately: a relay that uploads shows the outlet is
    reachable, not that central's order would reach its kitchen."""

    def test_a_relay_that_only_uploads_gets_no_order_once_the_limit_has_passed(
        self, client, clock, in_memory_layer
    ):
        # Its downlink 404s (central's view not routed), or the relay's downlink stopped.
        assert empty_upload(client).status_code == 200
        # A relay that just reached central has the limit to start polling.
        assert order_group(client).status_code == 201
        age(timedelta(minutes=11))
        clock[0] += 31
        assert empty_upload(client).status_code == 200
        answer = order_group(client)
        assert answer.status_code == 503
        error = answer.json()["error"]
        contact = OutletContact.objects.get()
        assert (error["code"], error["reason"]) == ("outlet_offline", "no_delivery")
        assert error["last_seen_at"] == outlet_contact.wire_time(contact.last_seen_at)
        assert error["last_delivery_at"] is None
        assert contact.last_seen_at > timezone.now() - timedelta(minutes=1)
        assert Order.objects.count() == 1

    def test_answered_downlink_polls_keep_it_taking_orders_however_often_it_uploads(
        self, client, clock, in_memory_layer
    ):
        seen(via="upload", ago=timedelta(days=2))
        assert empty_upload(client).status_code == 200
        clock[0] += 1
        # The upload was written a second ago: the poll's delivery contact is written anyway.
        assert poll(client).status_code == 200
        contact = OutletContact.objects.get()
        assert (contact.last_seen_via, contact.last_delivery_via) == ("downlink", "downlink")
        assert order_group(client).status_code == 201

    def test_a_poll_central_fails_to_answer_is_contact_but_no_delivery(
        self, client, monkeypatch, in_memory_layer
    ):
        seen(via="upload", ago=timedelta(days=2))
        monkeypatch.setattr(views, "events_for_relay", broken_log)
        assert poll(client).status_code == 500
        contact = OutletContact.objects.get()
        assert contact.last_seen_via == "downlink"
        assert contact.last_delivery_at is None
        answer = order_group(client)
        assert answer.status_code == 503
        assert answer.json()["error"]["reason"] == "no_delivery"

    def test_a_delivery_contact_gone_quiet_refuses_though_uploads_go_on(
        self, client, clock, in_memory_layer
    ):
        assert poll(client).status_code == 200
        age(timedelta(minutes=11))
        clock[0] += 31
        assert empty_upload(client).status_code == 200
        answer = order_group(client)
        assert answer.status_code == 503
        error = answer.json()["error"]
        assert error["reason"] == "no_delivery"
        delivered = OutletContact.objects.get().last_delivery_at
        assert error["last_delivery_at"] == outlet_contact.wire_time(delivered)
        with pytest.raises(KitchenSyncError) as refused:
            outlet_contact.require_outlet_online(1)
        assert refused.value.details["reason"] == "no_delivery"


def open_and_close(*roles):
    """Sockets of these roles on central for outlet 1, each opened, caught up and closed."""

    async def body():
        for role in roles:
            token = mint_socket_token(device=f"{role}-1", role=role, outlet=1)
            socket, _ = await open_live(socket_path(token=token))
            await socket.disconnect()

    run(body)


@pytest.mark.usefixtures("in_memory_layer")
@pytest.mark.django_db(transaction=True)
class TestWhichSocketsDeliver:
    def test_a_kitchen_socket_on_central_keeps_an_uploading_outlet_online(self, client):
        """Central broadcasts its orders to that kitchen, whatever the relay's downlink does."""
        seen(via="upload", ago=timedelta(days=2))
        open_and_close("kitchen")
        contact = OutletContact.objects.get()
        assert (contact.last_seen_via, contact.last_delivery_via) == ("socket", "socket")
        assert order_group(client).status_code == 201

    def test_a_pos_socket_keeps_the_outlet_seen_not_online(self, client):
        seen(via="upload", ago=timedelta(days=2))
        open_and_close("pos")
        contact = OutletContact.objects.get()
        assert contact.last_seen_at > timezone.now() - timedelta(minutes=1)
        assert contact.last_delivery_at is None
        answer = order_group(client)
        assert answer.status_code == 503
        assert answer.json()["error"]["reason"] == "no_delivery"

    def test_a_central_only_outlet_is_never_refused(self, client):
        """No relay: its POS and kitchens hold central's sockets. Screens closed overnight
        lock no one out in the morning."""
        open_and_close("pos", "kitchen")
        age(timedelta(days=2))
        assert order_group(client).status_code == 201
        assert not OutletContact.objects.exists()


# transaction=True: the consumer writes through database_sync_to_async.
@pytest.mark.usefixtures("in_memory_layer")
@pytest.mark.django_db(transaction=True)
class TestTheOutletsSocketsAreContact:
    def test_a_kitchen_socket_is_contact_when_it_opens_pings_and_closes(self, clock):
        long_ago = timezone.now() - timedelta(hours=1)
        seen(ago=timedelta(hours=1))

        @database_sync_to_async
        def last_seen():
            return OutletContact.objects.values_list("last_seen_at", "last_seen_via").get()

        @database_sync_to_async
        def age_it():
            OutletContact.objects.update(last_seen_at=long_ago)
            clock[0] += 31

        async def body():
            socket, _ = await open_live(socket_path())
            assert (await last_seen())[1] == "socket"
            await age_it()
            await socket.send_to(text_data=json.dumps({"type": "ping", "timestamp": 1}))
            assert (await next_json(socket))["type"] == "pong"
            assert (await last_seen())[0] > long_ago
            await age_it()
            await socket.disconnect()
            assert (await last_seen())[0] > long_ago

        run(body)

    def test_a_monitor_socket_is_not_contact(self):
        contact = seen(ago=timedelta(hours=1))

        async def body():
            token = mint_socket_token(device="hq-wall", role="monitor", outlet=1)
            socket, _ = await open_live(socket_path(token=token))
            await socket.disconnect()

        run(body)
        assert OutletContact.objects.get().last_seen_at == contact.last_seen_at

    def test_a_socket_alone_does_not_start_the_guard(self, client):
        """A central-only outlet: its kitchens use central's socket, no relay ever bridged."""

        async def body():
            socket, _ = await open_live(socket_path())
            await socket.disconnect()

        run(body)
        assert not OutletContact.objects.exists()
