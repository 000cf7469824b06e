"""``/health`` checks the database and the channel layer, each with a timeout, and says
which part failed."""

import socket
import threading

import pytest
from channels.layers import channel_layers

from kitchen_sync import health

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthy(client, in_memory_layer):
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok"}}
    assert answer["Cache-Control"] == "no-store"


@pytest.fixture
def redis_down(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [("127.0.0.1", port)]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_the_channel_layer_down_is_a_503_naming_it(client, redis_down):
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable", "checks": {"database": "ok", "channel_layer": "unavailable"}
    }


def test_a_database_that_fails_is_a_503_naming_it(client, in_memory_layer, monkeypatch):
    from django.db import OperationalError

    def refused(alias):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_select_one", refused)
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {"database": "unavailable", "channel_layer": "ok"}


def test_a_database_that_hangs_is_unavailable_after_the_timeout(client, in_memory_layer,
                                                                 monkeypatch, settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "HEALTH_TIMEOUT": 0.2}
    release = threading.Event()
    monkeypatch.setattr(health, "_select_one", lambda alias: release.wait(10))
    try:
        answer = client.get("/health")
    finally:
        release.set()
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] == "unavailable"
