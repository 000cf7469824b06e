"""``GET /health``: whether this central can take orders and reach the outlet sockets."""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connections
from django.http import JsonResponse
from django.views import View

from .settings import ks_setting

logger = logging.getLogger("kitchen_sync.health")

# One thread for the database check, so a database that hangs (a lost network) cannot make
# the view wait past its timeout, and checks that pile up meanwhile wait for that one thread
# instead of each taking one.
_database_checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kitchen_sync.health")
_database_lock = threading.Lock()


def _select_one(alias):
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # This thread's own connection: none is kept open between checks.
        connection.close()


async def _group_send_probe(timeout):
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured (CHANNEL_LAYERS)")
    # A group nobody joins: a round trip to the layer's server that reaches no socket.
    await asyncio.wait_for(
        layer.group_send("kitchen_sync.health", {"type": "kitchen_sync.health"}), timeout
    )


class HealthView(View):
    """``GET`` → ``200 {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok"}}``,
    or ``503`` with ``"status": "unavailable"`` and the part that failed as ``"unavailable"``
    (the reason goes to the log, not to an unauthenticated caller). Each check gives up after
    ``HEALTH_TIMEOUT`` seconds."""

    database = "default"

    def check_database(self, timeout):
        with _database_lock:
            future = _database_checks.submit(_select_one, self.database)
        future.result(timeout=timeout)

    def check_channel_layer(self, timeout):
        async_to_sync(_group_send_probe)(timeout)

    def get(self, request):
        timeout = float(ks_setting("HEALTH_TIMEOUT"))
        checks = {}
        for name, check in (("database", self.check_database),
                            ("channel_layer", self.check_channel_layer)):
            try:
                check(timeout)
                checks[name] = "ok"
            except Exception as error:  # a timeout included
                logger.warning("health: the %s is unavailable: %r", name.replace("_", " "), error)
                checks[name] = "unavailable"
        healthy = all(state == "ok" for state in checks.values())
        response = JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": checks},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
