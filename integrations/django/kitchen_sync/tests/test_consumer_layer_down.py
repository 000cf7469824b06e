"""The channel layer (Redis) down: the outlet socket closes with 4503 ``unavailable`` and one
log line, never 1011 or an HTTP 500 with daphne's traceback."""

import asyncio
import logging

import pytest
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer

from kitchen_sync.consumers import CLOSE_UNAVAILABLE

from .sockets import open_live, open_socket, run, socket_path

pytestmark = pytest.mark.django_db(transaction=True)


class StoppingLayer(InMemoryChannelLayer):
    """Works until ``stop()``; then every call fails as channels_redis does with Redis gone."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stopped = asyncio.Event()

    def stop(self):
        self.stopped.set()

    async def receive(self, channel):
        received = asyncio.ensure_future(super().receive(channel))
        stopped = asyncio.ensure_future(self.stopped.wait())
        await asyncio.wait([received, stopped], return_when=asyncio.FIRST_COMPLETED)
        if received.done():
            stopped.cancel()
            return received.result()
        received.cancel()
        raise ConnectionError("Connection closed by server.")

    async def group_discard(self, group, channel):
        if self.stopped.is_set():
            raise ConnectionError("Connection refused.")
        await super().group_discard(group, channel)


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "kitchen_sync.tests.test_consumer_layer_down.StoppingLayer"}
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def warnings_of(caplog):
    return [r for r in caplog.records if r.name == "kitchen_sync.consumers"]


def test_a_live_socket_is_closed_with_4503_when_the_layer_goes_down(layer, caplog):
    async def body():
        socket_, _ = await open_live(socket_path())
        get_channel_layer().stop()
        assert await socket_.receive_output(timeout=2) == {
            "type": "websocket.close", "code": CLOSE_UNAVAILABLE
        }
        await socket_.wait(timeout=2)

    run(body)
    [record] = warnings_of(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "outlet 1" in record.getMessage()


def test_a_new_socket_while_redis_is_down_is_accepted_and_closed_with_4503(redis_down, caplog):
    async def body():
        socket_, connected, _ = await open_socket(socket_path())
        assert connected
        assert await socket_.receive_output(timeout=5) == {
            "type": "websocket.close", "code": CLOSE_UNAVAILABLE
        }
        await socket_.wait(timeout=2)

    run(body)
    [record] = warnings_of(caplog)
    assert record.exc_info is None and "unavailable" in record.getMessage()
