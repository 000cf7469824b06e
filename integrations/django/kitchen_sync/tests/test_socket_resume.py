"""The outlet socket resumes from ?since=<central seq>: the log's missed events once, in
order, then live ones, with nothing lost or doubled at the boundary."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from kitchen_sync import consumers
from kitchen_sync.consumers import CLOSE_INVALID
from kitchen_sync.events import abroadcast_order_event, publish_order_event
from kitchen_sync.models import OutletEvent, SyncCounter
from kitchen_sync.outlet_log import log_collection, record_event
from kitchen_sync.tokens import mint_socket_token

from .orders import protocol_order
from .sockets import frames_until_caught_up, next_json, open_live, open_socket, run, socket_path

# transaction=True: the consumer reads the log through database_sync_to_async, which closes
# a connection that is inside the test's transaction.
pytestmark = [pytest.mark.usefixtures("in_memory_layer"), pytest.mark.django_db(transaction=True)]


def order(tenant=1, outlet=1, status="pending"):
    return protocol_order(tenant, outlet, status)


def publish(event_type="new_order", **fields):
    envelope, seq, _ = publish_order_event(event_type, order(**fields))
    return envelope["event_id"], seq


def test_a_socket_resumes_with_the_events_it_missed_in_pages(settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "SOCKET_REPLAY_PAGE": 2}
    missed = [publish() for _ in range(5)]

    async def body():
        socket = (await open_socket(socket_path(since=missed[0][1])))[0]
        frames, head = await frames_until_caught_up(socket)
        assert [(f["data"]["event_id"], f["seq"]) for f in frames] == missed[1:]
        assert head == missed[-1][1]
        await socket.disconnect()

    run(body)


def test_live_frames_carry_the_seq_the_event_got_in_the_log():
    async def body():
        socket, head = await open_live(socket_path())
        envelope, seq, created = await sync_to_async(publish_order_event)("new_order", order())
        frame = await next_json(socket)
        assert created and seq == head + 1
        assert frame == {"event": "new_order", "data": envelope, "seq": seq}
        await socket.disconnect()

    run(body)


def test_an_event_already_in_the_log_is_not_broadcast_again():
    async def body():
        socket, _ = await open_live(socket_path())
        first = order()
        event_id = str(uuid.uuid4())
        envelope, seq, _ = await sync_to_async(publish_order_event)(
            "new_order", first, event_id=event_id
        )
        again, again_seq, created = await sync_to_async(publish_order_event)(
            "new_order", first, event_id=event_id
        )
        assert (again_seq, created, again["event_id"]) == (seq, False, event_id)
        assert (await next_json(socket))["seq"] == seq
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(body)


def test_events_committed_while_the_socket_catches_up_arrive_once_in_order(monkeypatch):
    """The race at the boundary: one event commits after the socket joined its group but before
    it read the log's head (it is in the replay and also arrives live), one after the read
    (live only). Each is sent once, replay first."""
    before = publish()
    racing = {}
    read_bounds = consumers.log_bounds

    def bounds_with_writers_around(outlet_id):
        racing["before_read"] = publish()
        bounds = read_bounds(outlet_id)
        racing["after_read"] = publish()
        return bounds

    monkeypatch.setattr(consumers, "log_bounds", bounds_with_writers_around)

    async def body():
        socket = (await open_socket(socket_path(since=before[1])))[0]
        frames, head = await frames_until_caught_up(socket)
        assert [(f["data"]["event_id"], f["seq"]) for f in frames] == [racing["before_read"]]
        assert head == racing["before_read"][1]
        live = await next_json(socket)
        assert (live["data"]["event_id"], live["seq"]) == racing["after_read"]
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(body)


def test_the_replay_keeps_to_the_tokens_tenants_and_to_centrals_own_events():
    publish(tenant=1)
    kept = publish(tenant=2)
    # Outlet-wide: a tenant's socket never gets it live either.
    publish("order_updated", tenant=None, status="preparing")
    record_event(  # a relay's upload: the outlet's screens get it from the relay
        {"event_id": "from-relay", "type": "new_order", "outlet_id": 1, "tenant_id": 2,
         "order_id": str(uuid.uuid4()), "data": {}},
        source="relay",
    )
    kept_too = publish("order_updated", tenant=2, status="preparing")

    async def body():
        token = mint_socket_token(device="kds-2", role="kitchen", outlet=1, tenants=[2])
        socket = (await open_socket(socket_path(token=token, since=0)))[0]
        frames, _ = await frames_until_caught_up(socket)
        assert [(f["data"]["event_id"], f["seq"]) for f in frames] == [kept, kept_too]
        await socket.disconnect()
        wide = (await open_socket(socket_path(tenant="1", since=0)))[0]
        frames, _ = await frames_until_caught_up(wide)
        assert [f["data"]["tenant_id"] for f in frames] == [1]
        await wide.disconnect()

    run(body)


def test_a_cursor_ahead_of_the_log_gets_a_reset_then_live_events():
    envelope, head, _ = publish_order_event("new_order", order())

    async def body():
        socket = (await open_socket(socket_path(since=head + 10)))[0]
        named = {"seq": head, "event_id": envelope["event_id"]}
        assert await next_json(socket) == {"type": "reset", **named}
        # The open orders as they stand (test_socket_open_orders), then the head.
        assert await next_json(socket) == {"event": "new_order", "data": envelope}
        assert await next_json(socket) == {"type": "caught_up", **named}
        _, seq, _ = await sync_to_async(publish_order_event)("new_order", order())
        assert (await next_json(socket))["seq"] == seq
        await socket.disconnect()

    run(body)


def test_a_cursor_the_pruned_log_no_longer_reaches_gets_a_reset():
    seqs = [publish()[1] for _ in range(4)]
    OutletEvent.objects.filter(seq__lte=seqs[1]).delete()

    async def body():
        socket = (await open_socket(socket_path(since=seqs[0] - 1)))[0]
        assert (await next_json(socket))["seq"] == seqs[-1]
        await socket.disconnect()
        # Right below what is left: nothing was pruned away from this cursor.
        socket = (await open_socket(socket_path(since=seqs[1])))[0]
        frames, _ = await frames_until_caught_up(socket)
        assert [f["seq"] for f in frames] == seqs[2:]
        await socket.disconnect()

    run(body)


def test_a_since_event_the_log_holds_no_longer_at_its_seq_gets_a_reset():
    """Central's database restored to before seq 2, and new events took seqs 2 and 3 again: the
    client's cursor is not ahead of the head, only the event it applied at 2 tells."""
    _, (applied, at), _ = [publish() for _ in range(3)]
    OutletEvent.objects.filter(seq__gte=at).delete()
    SyncCounter.objects.filter(collection=log_collection("1")).update(value=at - 1)
    taken = [publish() for _ in range(2)]
    assert taken[0][1] == at
    head_id, head = taken[-1]
    taken = [seq for _, seq in taken]

    async def body():
        socket = (await open_socket(socket_path(since=at, since_event=applied)))[0]
        assert await next_json(socket) == {"type": "reset", "seq": head, "event_id": head_id}
        await socket.disconnect()
        # The event the log does hold there (in any case), or none: the replay after it.
        logged = await sync_to_async(lambda: OutletEvent.objects.get(seq=at).event_id)()
        for query in ({"since_event": logged.upper()}, {}):
            socket = (await open_socket(socket_path(since=at, **query)))[0]
            frames, _ = await frames_until_caught_up(socket)
            assert [f["seq"] for f in frames] == taken[1:]
            await socket.disconnect()

    run(body)


def test_a_since_event_over_64_characters_is_answered_with_an_error_and_close_code():
    async def body():
        socket, connected, _ = await open_socket(socket_path(since=1, since_event="e" * 65))
        assert connected
        assert (await next_json(socket))["code"] == "invalid_payload"
        assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_INVALID}

    run(body)


def test_an_event_broadcast_without_the_log_has_no_seq_and_is_forwarded():
    async def body():
        socket, _ = await open_live(socket_path(since=0))
        sent = await abroadcast_order_event("new_order", order())
        assert await next_json(socket) == {"event": "new_order", "data": sent}
        await socket.disconnect()

    run(body)


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "1e3", "9" * 19])
def test_a_bad_cursor_is_answered_with_an_error_and_close_code(since):
    async def body():
        socket, connected, _ = await open_socket(socket_path(since=since))
        assert connected
        assert await next_json(socket) == {
            "type": "error",
            "code": "invalid_payload",
            "message": "since must be a non-negative integer",
        }
        assert await socket.receive_output() == {"type": "websocket.close", "code": CLOSE_INVALID}
        # The server is unharmed: the next socket resumes normally.
        good, _ = await open_live(socket_path(since=0))
        await good.disconnect()

    run(body)



async def caught_up_of(path):
    """The ``caught_up`` frame a socket at ``path`` gets after its replay (or open orders)."""
    socket = (await open_socket(path))[0]
    while (frame := await next_json(socket)).get("type") != "caught_up":
        pass
    await socket.disconnect()
    return frame


def test_caught_up_names_the_event_at_the_head_also_one_the_socket_was_not_sent():
    """Tenant 2's kitchen, whose outlet's last event is tenant 1's (then a relay's upload): its
    caught_up names it all the same, the cursor's proof that the log did not go back."""
    publish(tenant=2)
    other_id, other = publish(tenant=1)
    token = mint_socket_token(device="kds-2", role="kitchen", outlet=1, tenants=[2])
    uploaded = {"event_id": str(uuid.uuid4()), "type": "new_order", "outlet_id": 1,
                "tenant_id": 1, "order_id": str(uuid.uuid4()), "data": {}}

    async def body():
        for query in ({}, {"since": 0}, {"since": other}):
            frame = await caught_up_of(socket_path(token=token, **query))
            assert frame == {"type": "caught_up", "seq": other, "event_id": other_id}
        row, _ = await sync_to_async(record_event)(uploaded, source="relay")
        frame = await caught_up_of(socket_path(token=token, since=other))
        assert frame == {"type": "caught_up", "seq": row.seq, "event_id": uploaded["event_id"]}

    run(body)


def test_an_empty_log_names_no_event():
    async def body():
        for query in ({}, {"since": 0}):
            assert await caught_up_of(socket_path(**query)) == {"type": "caught_up", "seq": 0}

    run(body)


def test_a_cursor_from_caught_up_alone_proves_a_restore_past_it():
    """The client was sent no event, only caught_up (seq 2 and its event_id), and keeps that as
    its cursor. Central's database is restored to seq 1 and new events take seqs 2 and 3: with
    that event_id it is reset, where the seq alone resumes after 2 and misses the new 2."""
    publish()
    publish()

    async def first_visit():
        return await caught_up_of(socket_path())

    cursor = run(first_visit)
    OutletEvent.objects.filter(seq__gte=cursor["seq"]).delete()
    SyncCounter.objects.filter(collection=log_collection("1")).update(value=cursor["seq"] - 1)
    (at_id, at), (head_id, head) = publish(), publish()
    assert at == cursor["seq"]

    async def resume():
        path = socket_path(since=cursor["seq"], since_event=cursor["event_id"])
        socket = (await open_socket(path))[0]
        assert await next_json(socket) == {"type": "reset", "seq": head, "event_id": head_id}
        frames, caught_up = await frames_until_caught_up(socket)
        assert caught_up == head
        assert {at_id, head_id} <= {frame["data"]["event_id"] for frame in frames}
        await socket.disconnect()

    run(resume)
