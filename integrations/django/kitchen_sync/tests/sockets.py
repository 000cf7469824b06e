"""Helpers for driving the project's ASGI app (routing + origin check + consumer) in tests."""

import json
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from kitchen_sync.tokens import mint_socket_token


def run(coroutine_function):
    """pytest-asyncio is not in Debian's set: run each async test body through asgiref."""
    return async_to_sync(coroutine_function)()


def socket_path(outlet=1, token=None, **query):
    if token is None:
        token = mint_socket_token(device="kds-1", role="kitchen", outlet=outlet)
    return f"/ws/outlet/{outlet}/?{urlencode({'token': token, **query})}"


async def open_socket(path, origin=b"http://127.0.0.1", subprotocols=None):
    """``subprotocols``: offered as a browser's ``new WebSocket(url, protocols)`` does; the third
    value is then the one the consumer accepted with (None: none), else the close code."""
    from testproject.asgi import application

    headers = [(b"origin", origin)] if origin is not None else []
    communicator = WebsocketCommunicator(
        application, path, headers=headers, subprotocols=subprotocols
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


async def next_json(communicator, timeout=2):
    return json.loads(await communicator.receive_from(timeout=timeout))


async def frames_until_caught_up(communicator):
    """The frames a socket gets before ``caught_up``, and that frame's seq."""
    frames = []
    while True:
        frame = await next_json(communicator)
        if frame.get("type") == "caught_up":
            return frames, frame["seq"]
        frames.append(frame)


async def open_live(path, origin=b"http://127.0.0.1"):
    """An accepted socket past its catch-up: returns it and the ``caught_up`` frame's seq."""
    communicator, connected, code = await open_socket(path, origin)
    assert connected, f"refused with {code}"
    frame = await next_json(communicator)
    assert frame["type"] == "caught_up", frame
    return communicator, frame["seq"]
