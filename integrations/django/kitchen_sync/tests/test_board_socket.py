"""A pickup board (role ``board``) hangs where guests see it: central mints its tokens from
``?role=board``, and its outlet socket sends every order without the guests' data, as the
relay does, by replay, open orders and live events. A monitor still gets the whole order."""

import jwt
import pytest

from kitchen_sync.board_view import BOARD_ORDER_FIELDS
from kitchen_sync.events import abroadcast_order_event, publish_order_event
from kitchen_sync.tokens import mint_socket_token

from .orders import protocol_order
from .sockets import frames_until_caught_up, next_json, open_socket, run, socket_path

pytestmark = [pytest.mark.usefixtures("in_memory_layer"), pytest.mark.django_db(transaction=True)]

RELAY_SECRET = "test-relay-secret-at-least-32-bytes-long"
GUEST_DATA = ["Budi Santoso", "+62-811-5550", "ring the bell", "Jl. Melati", "no peanuts"]


def guest_order():
    return protocol_order(
        display_number="A042",
        customer_name="Budi Santoso",
        customer_phone="+62-811-5550",
        notes="ring the bell",
        delivery={"address": "Jl. Melati 3"},
        items=[{"product_id": 1, "name": "Sate", "quantity": 2, "notes": "no peanuts"}],
    )


def leaked(frames):
    text = repr(frames)
    return [secret for secret in GUEST_DATA if secret in text]


def token(role):
    return mint_socket_token(device=f"{role}-1", role=role, outlet=1)


def caught_up_frames(role, **query):
    got = {}

    async def body():
        socket, connected, code = await open_socket(socket_path(token=token(role), **query))
        assert connected, code
        got["frames"], _ = await frames_until_caught_up(socket)
        await socket.disconnect()

    run(body)
    return got["frames"]


def test_central_mints_board_tokens_for_role_board(client):
    body = client.get("/api/tenants/outlets/1/?device=pickup-board&role=board").json()
    relay_claims = jwt.decode(body["relay_token"], RELAY_SECRET, algorithms=["HS256"])
    assert (relay_claims["role"], relay_claims["sub"]) == ("board", "pickup-board")
    assert "tenants" not in relay_claims


def test_a_board_gets_the_open_orders_and_the_replay_without_guest_data():
    order = guest_order()
    publish_order_event("new_order", dict(order))
    publish_order_event("order_updated", {**order, "status": "preparing"})
    for frames in (caught_up_frames("board"), caught_up_frames("board", since="0")):
        assert frames, "the board got no order"
        assert frames[-1]["data"]["data"]["display_number"] == "A042"
        assert all(set(f["data"]["data"]) <= set(BOARD_ORDER_FIELDS) for f in frames)
        assert leaked(frames) == []
    assert leaked(caught_up_frames("monitor", since="0")) == GUEST_DATA


def test_a_board_gets_live_events_without_guest_data_and_a_monitor_with_it():
    async def body():
        board, connected, _ = await open_socket(socket_path(token=token("board")))
        monitor, _, _ = await open_socket(socket_path(token=token("monitor")))
        assert connected
        await frames_until_caught_up(board)
        await frames_until_caught_up(monitor)
        sent = await abroadcast_order_event("new_order", guest_order())
        to_board, to_monitor = await next_json(board), await next_json(monitor)
        assert to_board["data"]["data"]["order_id"] == sent["data"]["order_id"]
        assert "items" not in to_board["data"]["data"]
        assert leaked(to_board) == []
        assert to_monitor == {"event": "new_order", "data": sent}
        await board.disconnect()
        await monitor.disconnect()

    run(body)
