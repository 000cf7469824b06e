import os
import socket

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres run only on PostgreSQL, redis ones only with KS_REDIS_URL.
    They are deselected, not skipped: run-tests.py runs every one of them somewhere."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    with_redis = bool(os.environ.get("KS_REDIS_URL"))
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("postgres") and not on_postgres) or (
            item.get_closest_marker("redis") and not with_redis
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _dead_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """A Redis channel layer on a loopback port nothing listens on: Redis is down."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [("127.0.0.1", _dead_port())]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def category(db):
    from menu.models import Category

    return Category.objects.create(name="Drinks")
