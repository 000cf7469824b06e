"""Through a real channels_redis layer (msgpack): Django values must be made JSON first."""

import datetime
import uuid
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer

from kitchen_sync.events import broadcast_order_event, outlet_group

from .orders import protocol_order
from .sockets import next_json, open_live, open_socket, run, socket_path

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ORDER = {
    **protocol_order(tenant=3),
    "order_id": uuid.uuid4(),
    "total_amount": Decimal("150000"),
    "created_at": datetime.datetime(2025, 1, 3, 8, 0, tzinfo=datetime.timezone.utc),
}
PREPARING = {**ORDER, "status": "preparing"}


@pytest.fixture(autouse=True)
def fresh_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_django_values_reach_a_joined_socket_through_redis():
    async def body():
        socket, _ = await open_live(socket_path())
        # What the sketch did: raw values fail in msgpack, once a socket has joined.
        with pytest.raises(TypeError):
            await get_channel_layer().group_send(
                outlet_group(1), {"type": "kitchen_sync.event", "event": "new_order", "data": ORDER}
            )
        sent = await sync_to_async(broadcast_order_event)("new_order", ORDER, on_commit=False)
        frame = await next_json(socket)
        assert frame["data"] == sent
        assert frame["data"]["data"]["total_amount"] == "150000"
        assert frame["data"]["order_id"] == str(ORDER["order_id"])
        await socket.disconnect()

    run(body)


def test_two_events_without_ids_arrive_as_two_events():
    async def body():
        socket, _ = await open_live(socket_path())
        for _ in range(2):
            await sync_to_async(broadcast_order_event)("order_updated", PREPARING, on_commit=False)
        first, second = await next_json(socket), await next_json(socket)
        assert first["data"]["event_id"] != second["data"]["event_id"]
        await socket.disconnect()

    run(body)


def test_a_socket_resumes_and_goes_live_through_redis():
    from kitchen_sync.events import publish_order_event

    async def body():
        publish = sync_to_async(publish_order_event)
        _, first, _ = await publish("new_order", {**ORDER, "order_id": uuid.uuid4()})
        missed, missed_seq, _ = await publish("new_order", {**ORDER, "order_id": uuid.uuid4()})
        socket = (await open_socket(socket_path(since=first)))[0]
        assert await next_json(socket) == {"event": "new_order", "data": missed, "seq": missed_seq}
        assert await next_json(socket) == {
            "type": "caught_up", "seq": missed_seq, "event_id": missed["event_id"]
        }
        live, live_seq, _ = await publish("order_updated", PREPARING)
        assert await next_json(socket) == {"event": "order_updated", "data": live, "seq": live_seq}
        await socket.disconnect()

    run(body)


def test_outlet_1_t_2_does_not_get_outlet_1_tenant_2s_orders_through_redis():
    # The audit's leak: outlet "1_t_2"'s group was outlet 1 / tenant 2's group.
    async def body():
        from kitchen_sync.tokens import mint_socket_token

        token = mint_socket_token(device="mon-x", role="monitor", outlet="1_t_2")
        other, _ = await open_live(socket_path(outlet="1_t_2", token=token))
        own, _ = await open_live(socket_path(tenant="2"))
        try:
            sent = await sync_to_async(broadcast_order_event)(
                "new_order", protocol_order(tenant=2, outlet=1), on_commit=False
            )
            assert (await next_json(own))["data"] == sent
            assert await other.receive_nothing(timeout=0.3)
        finally:
            await other.disconnect()
            await own.disconnect()

    run(body)
