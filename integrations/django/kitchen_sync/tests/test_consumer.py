"""The outlet consumer joins its groups, scopes by outlet and tenant, and survives any frame."""

import pytest

from kitchen_sync.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED
from kitchen_sync.events import abroadcast_order_event
from kitchen_sync.tokens import mint_relay_token, mint_socket_token

from .orders import protocol_order
from .sockets import next_json, open_live, open_socket, run, socket_path

# transaction=True: the consumer reads the outlet log through database_sync_to_async, which
# closes a connection that is inside the test's transaction.
pytestmark = [pytest.mark.usefixtures("in_memory_layer"), pytest.mark.django_db(transaction=True)]


def order(tenant=1, outlet=1):
    return protocol_order(tenant, outlet, order_id="0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b")


def test_a_connected_socket_receives_the_outlets_broadcasts():
    async def body():
        socket, _ = await open_live(socket_path())
        sent = await abroadcast_order_event("new_order", order())
        frame = await next_json(socket)
        assert frame == {"event": "new_order", "data": sent}
        await socket.disconnect()

    run(body)


def test_a_kitchen_token_with_tenants_only_gets_those_tenants():
    async def body():
        token = mint_socket_token(device="kds-2", role="kitchen", outlet=1, tenants=[2])
        socket, _ = await open_live(socket_path(token=token))
        await abroadcast_order_event("new_order", order(tenant=1))
        await abroadcast_order_event("new_order", order(tenant=2))
        assert (await next_json(socket))["data"]["tenant_id"] == 2
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(body)


def test_tenant_query_narrows_an_outlet_wide_token():
    async def body():
        socket, _ = await open_live(socket_path(tenant="2"))
        await abroadcast_order_event("new_order", order(tenant=1))
        await abroadcast_order_event("new_order", order(tenant=2))
        assert (await next_json(socket))["data"]["tenant_id"] == 2
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(body)


def test_other_outlets_events_do_not_arrive():
    async def body():
        socket, _ = await open_live(socket_path())
        await abroadcast_order_event("new_order", order(outlet=2))
        assert await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()

    run(body)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (lambda: "/ws/outlet/1/", CLOSE_UNAUTHORIZED),
        (lambda: socket_path(token="not-a-token"), CLOSE_UNAUTHORIZED),
        (lambda: socket_path(outlet=1, token=mint_socket_token(device="a", role="pos", outlet=2)),
         CLOSE_FORBIDDEN),
        # Signed with RELAY_SECRET, which every outlet's relay PC holds: outlet 1's relay could
        # mint it for outlet 2 and read that outlet's orders.
        (lambda: socket_path(outlet=2, token=mint_relay_token(device="a", role="pos", outlet=2)),
         CLOSE_UNAUTHORIZED),
        (lambda: socket_path(tenant="1", token=mint_socket_token(
            device="a", role="kitchen", outlet=1, tenants=[2])), CLOSE_FORBIDDEN),
    ],
)
def test_refused_sockets_are_closed_with_their_code(path, code):
    # Accepted, then closed with the code: a close before accepting is an HTTP 403 at the
    # handshake (daphne), where the client cannot read 4401 or 4403.
    async def body():
        from channels.layers import get_channel_layer

        socket, connected, _ = await open_socket(path())
        assert connected
        assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": code}
        assert not any(get_channel_layer().groups.values())

    run(body)


def test_ping_is_answered_and_any_other_frame_is_survived():
    async def body():
        socket, _ = await open_live(socket_path())
        await socket.send_to(bytes_data=b"\x00\x01")
        # "[" * 100000 is a RecursionError in the parser, not a ValueError: it closed with 1011.
        for text in ("not json", "[1, 2]", "42", "null", '{"type": "hello"}', "[" * 100000):
            await socket.send_to(text_data=text)
        await socket.send_to(text_data='{"type": "ping", "timestamp": 123}')
        assert await next_json(socket) == {"type": "pong", "timestamp": 123}
        await abroadcast_order_event("new_order", order())
        assert (await next_json(socket))["event"] == "new_order"
        await socket.disconnect()

    run(body)


def test_disconnect_leaves_the_group():
    async def body():
        from channels.layers import get_channel_layer

        from kitchen_sync.events import outlet_group

        socket, _ = await open_live(socket_path())
        layer = get_channel_layer()
        assert len(layer.groups[outlet_group(1)]) == 1
        await socket.disconnect()
        assert not layer.groups.get(outlet_group(1))

    run(body)


def test_an_event_of_another_outlet_or_tenant_on_the_sockets_group_is_dropped():
    # Defence in depth behind the group names: the consumer checks the event's own outlet
    # (and tenant), so nothing of another outlet reaches the socket or moves its cursor.
    async def body():
        from channels.layers import get_channel_layer

        from kitchen_sync.events import HANDLER_TYPE, build_envelope, outlet_group, tenant_group

        token = mint_socket_token(device="kds-2", role="kitchen", outlet=1, tenants=[2])
        kitchen, _ = await open_live(socket_path(token=token))
        monitor, _ = await open_live(socket_path())
        layer = get_channel_layer()
        for group, outlet, tenant in ((tenant_group(1, 2), 9, 2), (tenant_group(1, 2), 1, 3),
                                      (outlet_group(1), 9, 2)):
            stray = build_envelope("new_order", order(tenant=tenant, outlet=outlet))
            await layer.group_send(
                group, {"type": HANDLER_TYPE, "event": "new_order", "data": stray, "seq": 7}
            )
        assert await kitchen.receive_nothing(timeout=0.2)
        assert await monitor.receive_nothing(timeout=0.2)
        sent = await abroadcast_order_event("new_order", order(tenant=2))
        assert (await next_json(kitchen))["data"] == sent
        assert (await next_json(monitor))["data"] == sent
        await kitchen.disconnect()
        await monitor.disconnect()

    run(body)


def test_a_socket_is_closed_with_4401_once_its_token_expired(monkeypatch):
    # The token is checked at the handshake only: without this, a 30-day token kept a socket
    # open for ever. Closed EXPIRED_SOCKET_GRACE after exp + TOKEN_LEEWAY, as the relay does.
    import time

    from kitchen_sync import consumers

    async def body():
        token = mint_socket_token(device="kds-1", role="kitchen", outlet=1, ttl=3600)
        closes_at = int(time.time()) + 3600 + 30 + consumers.EXPIRED_SOCKET_GRACE
        monkeypatch.setattr(consumers, "_now", lambda: closes_at - 0.3)
        socket, _ = await open_live(socket_path(token=token))
        await socket.send_to(text_data='{"type": "ping", "timestamp": 1}')
        assert await next_json(socket) == {"type": "pong", "timestamp": 1}
        assert await socket.receive_output(timeout=2) == {
            "type": "websocket.close", "code": CLOSE_UNAUTHORIZED
        }

    run(body)
