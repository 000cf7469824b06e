"""The origin check lets in a PWA on its own origin and clients that send no Origin."""

import pytest

from .sockets import open_socket, run, socket_path

pytestmark = [pytest.mark.usefixtures("in_memory_layer"), pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # a native app or script: no Origin header at all
        (b"http://kiosk.localhost:5173", True),  # the PWA, in CORS_ALLOWED_ORIGINS
        (b"http://127.0.0.1:8000", True),  # a host of ALLOWED_HOSTS
        (b"https://evil.example", False),
        (b"http://kiosk.localhost:9999", False),  # right host, wrong port
    ],
)
def test_origins(origin, allowed):
    async def body():
        socket, connected, _ = await open_socket(socket_path(), origin=origin)
        assert connected is allowed
        if connected:
            await socket.disconnect()

    run(body)


def test_extra_origins_come_from_kitchen_sync_settings(settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "ALLOWED_ORIGINS": ["https://kds.example"]}

    async def body():
        socket, connected, _ = await open_socket(socket_path(), origin=b"https://kds.example")
        assert connected
        await socket.disconnect()

    run(body)
