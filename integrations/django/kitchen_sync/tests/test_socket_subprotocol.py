"""The socket token offered as a subprotocol (``kitchen-sync.bearer.<token>``), out of the URL
that browsers print and proxies log; ``?token=`` still opens the socket for older clients."""

import pytest

from kitchen_sync.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED
from kitchen_sync.events import abroadcast_order_event
from kitchen_sync.tokens import mint_relay_token, mint_socket_token

from .orders import protocol_order
from .sockets import next_json, open_socket, run, socket_path

pytestmark = [pytest.mark.usefixtures("in_memory_layer"), pytest.mark.django_db(transaction=True)]


def offer(token):
    return ["kitchen-sync", f"kitchen-sync.bearer.{token}"]


def kitchen_token(**overrides):
    return mint_socket_token(**{"device": "kds-1", "role": "kitchen", "outlet": 1, **overrides})


def test_a_token_offered_as_a_subprotocol_opens_the_socket_accepted_with_kitchen_sync():
    async def body():
        socket, connected, chosen = await open_socket(
            "/ws/outlet/1/", subprotocols=offer(kitchen_token())
        )
        assert (connected, chosen) == (True, "kitchen-sync")
        assert (await next_json(socket))["type"] == "caught_up"
        sent = await abroadcast_order_event(
            "new_order", protocol_order(1, 1, order_id="0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b")
        )
        assert await next_json(socket) == {"event": "new_order", "data": sent}
        await socket.disconnect()

    run(body)


def test_the_query_keeps_tenant_and_since_beside_a_subprotocol_token():
    async def body():
        token = kitchen_token(tenants=[2])
        socket, connected, chosen = await open_socket(
            "/ws/outlet/1/?tenant=1", subprotocols=offer(token)
        )
        assert (connected, chosen) == (True, "kitchen-sync")
        assert await socket.receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": CLOSE_FORBIDDEN,
        }

    run(body)


@pytest.mark.parametrize(
    "protocols",
    [
        lambda: offer("not-a-token"),
        # Only the name: no token anywhere.
        lambda: ["kitchen-sync"],
        # A relay token (RELAY_SECRET) does not open central's socket this way either.
        lambda: offer(mint_relay_token(device="spy", role="pos", outlet=1)),
    ],
)
def test_a_refusal_is_accepted_with_kitchen_sync_so_the_browser_reads_4401(protocols):
    # A browser that offered subprotocols fails a handshake answered with none: it would see
    # 1006 (unreachable) instead of 4401, and never refresh its token.
    async def body():
        socket, connected, chosen = await open_socket("/ws/outlet/1/", subprotocols=protocols())
        assert (connected, chosen) == (True, "kitchen-sync")
        assert await socket.receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": CLOSE_UNAUTHORIZED,
        }

    run(body)


def test_a_client_from_before_it_sends_token_in_the_query_and_is_accepted_without_subprotocol():
    async def body():
        socket, connected, chosen = await open_socket(socket_path(token=kitchen_token()))
        assert (connected, chosen) == (True, None)
        assert (await next_json(socket))["type"] == "caught_up"
        await socket.disconnect()

    run(body)


def test_the_subprotocol_token_wins_over_one_in_the_query():
    async def body():
        other_outlet = kitchen_token(outlet=2)
        socket, connected, chosen = await open_socket(
            socket_path(token=other_outlet), subprotocols=offer(kitchen_token())
        )
        assert (connected, chosen) == (True, "kitchen-sync")
        assert (await next_json(socket))["type"] == "caught_up"
        await socket.disconnect()

    run(body)


def test_the_bearer_subprotocol_is_never_echoed():
    # The bearer alone (a client that forgot the name): accepted with no subprotocol rather
    # than with the token in the answer's header.
    async def body():
        socket, connected, chosen = await open_socket(
            "/ws/outlet/1/", subprotocols=[f"kitchen-sync.bearer.{kitchen_token()}"]
        )
        assert (connected, chosen) == (True, None)
        assert (await next_json(socket))["type"] == "caught_up"
        await socket.disconnect()

    run(body)
