"""prune_outlet_log deletes old outlet log events, never one a consumer may still need: the
outlet's newest, those from its relay's downlink cursor on, those of orders still open or
changed within the retention. A socket whose cursor falls below what it deleted is reset."""

import threading
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from kitchen_sync import consumers, outlet_contact
from kitchen_sync.checks import check_outlet_log_retention_days
from kitchen_sync.events import publish_order_event
from kitchen_sync.models import OutletContact, OutletEvent, OutletLogPrune
from kitchen_sync.outlet_log import event_id_at, record_event
from kitchen_sync.tokens import mint_relay_credential

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
    """Central's change to ``order``; returns its seq."""
    order.update(changes)
    return publish_order_event(event_type, dict(order))[1]


def finished_order(outlet=1):
    order = protocol_order(outlet=outlet)
    return [publish("new_order", order), publish("order_completed", order, status="completed")]


def age(seqs, days, outlet="1"):
    """Makes the events at ``seqs`` look logged ``days`` ago."""
    moment = timezone.now() - timedelta(days=days)
    OutletEvent.objects.filter(outlet_id=outlet, seq__in=seqs).update(created_at=moment)


def seqs(outlet="1"):
    rows = OutletEvent.objects.filter(outlet_id=outlet).order_by("seq")
    return list(rows.values_list("seq", flat=True))


def prune(*args):
    out = StringIO()
    call_command("prune_outlet_log", *args, stdout=out)
    return out.getvalue()


def test_old_events_of_finished_orders_go_and_the_newest_event_stays():
    old = finished_order() + finished_order()
    cancelled = protocol_order()
    old.append(publish("new_order", cancelled))
    old.append(publish("order_cancelled", cancelled, status="cancelled"))
    recent = finished_order()
    age(old, 31)

    output = prune()

    assert seqs() == recent
    assert "outlet 1: deleted 6 events" in output
    assert OutletLogPrune.objects.get(outlet_id="1").pruned_through == old[-1]
    # A log of old events only: its newest stays, for the head and the cursor checks.
    age(recent, 40)
    prune()
    assert seqs() == recent[-1:]


def test_the_default_is_the_setting_and_the_flag_overrides_it(settings):
    old = finished_order()
    finished_order()
    age(old, 10)
    prune()
    assert seqs()[:2] == old
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "OUTLET_LOG_RETENTION_DAYS": 7}
    prune()
    assert old[0] not in seqs()
    newer = finished_order()
    age(newer, 3)
    prune("--older-than-days", "2")
    assert newer[0] not in seqs()


def test_a_dry_run_counts_and_deletes_nothing():
    old = finished_order()
    finished_order()
    age(old, 31)
    before = seqs()
    output = prune("--dry-run")
    assert "outlet 1: would delete 2 events" in output
    assert "would delete 2 outlet log events older than 30 days" in output
    assert seqs() == before
    assert not OutletLogPrune.objects.exists()


def test_a_second_run_deletes_nothing_more():
    old = finished_order()
    finished_order()
    age(old, 31)
    assert "deleted 2 outlet log events" in prune()
    after = seqs()
    assert "deleted 0 outlet log events" in prune()
    assert seqs() == after


def test_small_batches_delete_the_same():
    old = [seq for _ in range(5) for seq in finished_order()]
    finished_order()
    age(old, 31)
    prune("--batch-size", "3")
    assert not set(old) & set(seqs())


def test_every_event_of_an_order_still_open_stays():
    cooking = protocol_order()
    kept = [publish("new_order", cooking), publish("order_updated", cooking, status="preparing")]
    # Its latest event was refused: the status before it stands (preparing), still open.
    kept.append(publish("order_updated", cooking, status="ready"))
    OutletEvent.objects.filter(seq=kept[-1]).update(conflict="a refused transition")
    done = finished_order()
    finished_order()
    age(kept + done, 31)
    prune()
    assert set(kept) <= set(seqs())
    assert not set(done) & set(seqs())


def test_a_finished_order_changed_within_the_retention_stays_whole():
    order = protocol_order()
    created = publish("new_order", order)
    completed = publish("order_completed", order, status="completed")
    age([created], 31)
    prune()
    assert seqs() == [created, completed]


def test_events_without_an_order_go_by_age_alone():
    envelope = {
        "event_id": str(uuid.uuid4()), "type": "kitchen_status_changed", "outlet_id": "1",
        "data": {"status": "busy"}, "ts": "2026-01-03T08:05:00.000Z",
    }
    row, _ = record_event(envelope, source="relay", relay_epoch="e", relay_seq=1)
    finished_order()
    age([row.seq], 31)
    prune()
    assert row.seq not in seqs()


def contact(downlink_since):
    now = timezone.now()
    OutletContact.objects.create(
        outlet_id="1", first_seen_at=now, last_seen_at=now, last_seen_via="downlink",
        last_downlink_at=now, downlink_since=downlink_since,
    )


def relay_order(relay_seq):
    """A finished order the outlet's relay uploaded; returns its seqs."""
    order = protocol_order()
    found = []
    steps = (("new_order", "pending"), ("order_completed", "completed"))
    for n, (kind, status) in enumerate(steps):
        envelope = {
            "seq": relay_seq + n, "event_id": str(uuid.uuid4()), "type": kind, "outlet_id": "1",
            "tenant_id": 1, "order_id": order["order_id"], "data": {**order, "status": status},
            "ts": "2026-01-03T08:05:00.000Z",
        }
        row, _ = record_event(envelope, source="relay", relay_epoch="e", relay_seq=relay_seq + n)
        found.append(row.seq)
    return found


def test_from_the_relays_downlink_cursor_on_everything_stays():
    read = finished_order()
    unread = finished_order() + relay_order(1)
    finished_order()
    age(read + unread, 31)
    # The relay's last answered poll was from read[-1]: it holds that, not what follows. The
    # event at its cursor stays too: its check names it.
    contact(downlink_since=read[-1])
    prune()
    assert seqs()[: len(unread) + 1] == [read[-1]] + unread
    assert read[0] not in seqs()


def test_a_relay_whose_cursor_central_does_not_know_keeps_every_central_event():
    central = finished_order()
    relayed = relay_order(1)
    finished_order()
    age(central + relayed, 31)
    contact(downlink_since=None)
    prune()
    # Its own uploads go: the downlink never sends them back.
    assert set(central) <= set(seqs())
    assert not set(relayed) & set(seqs())


def test_an_answered_downlink_poll_records_the_relays_cursor(client):
    first = finished_order()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {mint_relay_credential(outlet=1)}"}
    assert client.get(DOWNLINK, {"since": first[0]}, **bearer).status_code == 200
    assert OutletContact.objects.get(outlet_id="1").downlink_since == first[0]


def test_a_reset_downlink_poll_records_no_cursor(client):
    finished_order()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {mint_relay_credential(outlet=1)}"}
    answer = client.get(DOWNLINK, {"since": 999}, **bearer).json()
    assert answer["reset"] is True
    assert OutletContact.objects.get(outlet_id="1").downlink_since is None


def test_other_outlets_are_pruned_apart():
    mine, theirs = finished_order(outlet=1), finished_order(outlet=2)
    finished_order(outlet=1)
    finished_order(outlet=2)
    age(mine, 31, outlet="1")
    age(theirs, 31, outlet="2")
    output = prune()
    assert "outlet 1: deleted 2 events" in output and "outlet 2: deleted 2 events" in output


def test_a_socket_resuming_below_the_pruned_range_is_reset_and_gets_the_open_orders(settings):
    """The open order's events stay behind, older than what went: the log's oldest seq is
    below the client's cursor, so only the prune's mark tells that events after it are gone."""
    # A reset shows the open orders logged within this window (12 h by default).
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "SOCKET_OPEN_ORDERS_WINDOW": 40 * 86400}
    still_open = protocol_order()
    kept = publish("new_order", still_open)
    applied = finished_order()
    gone = finished_order()
    head = finished_order()[-1]
    age([kept] + applied + gone, 31)
    prune()
    assert seqs() == [kept, head - 1, head]
    reset = {"type": "reset", "seq": head, "event_id": event_id_at("1", head)}

    async def body():
        socket = (await open_socket(socket_path(since=applied[-1])))[0]
        assert await next_json(socket) == reset
        frames, caught_up = await frames_until_caught_up(socket)
        assert [f["data"]["order_id"] for f in frames] == [still_open["order_id"]]
        assert caught_up == head
        await socket.disconnect()
        # From the mark on nothing is missing: a replay as before.
        socket = (await open_socket(socket_path(since=gone[-1])))[0]
        frames, _ = await frames_until_caught_up(socket)
        assert [f["seq"] for f in frames] == [head - 1, head]
        await socket.disconnect()

    run(body)


def test_a_prune_during_the_replay_resets_the_socket_after_it(monkeypatch):
    first = finished_order()
    gone = finished_order()
    head = finished_order()[-1]
    age(first + gone, 31)
    read_page = consumers.events_for_socket

    def prune_then_read(*args, **kwargs):
        # The prune commits after the socket read the log's bounds, before its page.
        prune()
        return read_page(*args, **kwargs)

    monkeypatch.setattr(consumers, "events_for_socket", prune_then_read)
    reset = {"type": "reset", "seq": head, "event_id": event_id_at("1", head)}

    async def body():
        socket = (await open_socket(socket_path(since=first[0])))[0]
        frames, caught_up = await frames_until_caught_up(socket)
        assert [f.get("seq") for f in frames if "event" in f] == [head - 1, head]
        assert frames[-1] == reset
        assert caught_up == head
        await socket.disconnect()

    run(body)


@pytest.mark.parametrize(
    "days", ["-3", "0", "1.5", "abc", " 3", "+3", "nan", "1e3", "1000000"]
)
def test_days_that_are_not_a_whole_number_of_at_least_one_are_refused(days):
    finished_order()
    before = seqs()
    with pytest.raises(CommandError, match="--older-than-days must be a whole number from 1 to 99999"):
        prune("--older-than-days", days)
    assert seqs() == before


@pytest.mark.parametrize("size", ["0", "-1", "x"])
def test_a_bad_batch_size_is_refused(size):
    with pytest.raises(CommandError, match="--batch-size must be a whole number from 1 to 99999"):
        prune("--batch-size", size)


@pytest.mark.parametrize("days", [0, -1, 1.5, "30", True, None, 10**6])
def test_an_invalid_setting_is_a_system_check_error_and_the_command_refuses_it(settings, days):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "OUTLET_LOG_RETENTION_DAYS": days}
    assert [e.id for e in check_outlet_log_retention_days()] == ["kitchen_sync.E002"]
    with pytest.raises(CommandError, match="OUTLET_LOG_RETENTION_DAYS"):
        prune()


def test_the_default_setting_passes_the_check():
    assert check_outlet_log_retention_days() == []


@pytest.mark.postgres
def test_events_logged_while_it_prunes_all_stay():
    """On PostgreSQL, a writer on its own connection logs orders while the prune runs."""
    old = [seq for _ in range(40) for seq in finished_order()]
    age(old, 31)
    written, errors = [], []

    def write():
        try:
            for _ in range(30):
                written.extend(finished_order())
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    prune("--batch-size", "5")
    writer.join(60)
    assert errors == []
    assert len(written) == 60
    assert set(written) <= set(seqs())
    # old[-1] stays if the prune read the head before the writer's first order.
    assert not set(old[:-1]) & set(seqs())
