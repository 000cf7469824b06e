"""Sending order events to the outlet sockets through the channel layer."""

import datetime
import hashlib
import json
import logging
import re
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .errors import KitchenSyncError
from .payload_rules import UUID, check_central_event
from .settings import ks_setting

EVENT_TYPES = (
    "new_order",
    "order_updated",
    "order_completed",
    "order_cancelled",
    "order_acknowledged",
    "kitchen_status_changed",
    # Protocol v1.1 (docs/kitchen-workflow.md): line bumps, hold & fire, recall, rush.
    "order_item_updated",
    "order_held",
    "order_fired",
    "order_recalled",
    "order_rushed",
)
logger = logging.getLogger("kitchen_sync.events")

# The consumer method the layer calls: "kitchen_sync.event" -> kitchen_sync_event.
HANDLER_TYPE = "kitchen_sync.event"
# A part of a group name kept as it is: no "_" (it separates the parts) and no "." (it marks
# a digest), so no id can spell another id's group or a digest. With fullmatch: "$" would
# let "1\n" into a group name, which Channels refuses.
_GROUP_SAFE = re.compile(r"[A-Za-z0-9-]{1,40}")


def _group_part(value):
    # Channels allows only [A-Za-z0-9._-] and < 100 characters in group names; any other id
    # (up to 64 characters of anything, "1_t_2" included) becomes "h." and 128 bits of its
    # sha256. Outlet "1_t_2" must not share outlet 1 / tenant 2's group "outlet_1_t_2".
    text = str(value)
    if _GROUP_SAFE.fullmatch(text):
        return text
    return "h." + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def outlet_group(outlet_id):
    """The group every socket of the outlet that sees all tenants joins."""
    return f"{ks_setting('GROUP_PREFIX')}_{_group_part(outlet_id)}"


def tenant_group(outlet_id, tenant_id):
    """The group a socket limited to one tenant joins."""
    return f"{outlet_group(outlet_id)}_t_{_group_part(tenant_id)}"


def to_wire(value):
    """Plain JSON values only: channels_redis packs messages with msgpack, which refuses
    UUID, Decimal and datetime (and only once a socket has joined the group, so a demo
    without a kitchen never shows it). Decimal becomes a string, as money is on the wire."""
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as error:
        raise KitchenSyncError("invalid_payload", f"order is not JSON-serialisable: {error}")


def _lower_uuid(value):
    return value.lower() if isinstance(value, str) and UUID.fullmatch(value) else value


def with_lower_case_ids(envelope):
    """``envelope`` with its ``event_id`` and ``order_id`` (also ``data``'s) in lower case when
    they are UUIDs, as the relay logs them (RFC 9562's form): its uplink sends central's own
    events back so spelled, and central finds them (echoes, an order's changes) by equality.
    Anything but a dict is returned as it is, for the protocol's check to refuse."""
    if not isinstance(envelope, dict):
        return envelope
    envelope = dict(envelope)
    for key in ("event_id", "order_id"):
        if key in envelope:
            envelope[key] = _lower_uuid(envelope[key])
    data = envelope.get("data")
    if isinstance(data, dict) and "order_id" in data:
        envelope["data"] = {**data, "order_id": _lower_uuid(data["order_id"])}
    return envelope


def _envelope(event_type, order, event_id, outlet_id, tenant_id):
    if not isinstance(order, dict):
        raise KitchenSyncError("invalid_payload", "order must be a dict")
    data = to_wire(order)
    envelope = {
        # A fresh id per event when none is given: a shared or "None" id would make the
        # client drop every event after the first as a duplicate.
        "event_id": str(event_id) if event_id is not None else str(uuid.uuid4()),
        "type": event_type,
        "outlet_id": to_wire(outlet_id) if outlet_id is not None else data.get("outlet_id"),
        "tenant_id": to_wire(tenant_id) if tenant_id is not None else data.get("tenant_id"),
        "data": data,
        # Always UTC with its offset, as the protocol's timestamps (also with USE_TZ = False).
        "ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    if "order_id" in data:
        envelope["order_id"] = data["order_id"]
    return with_lower_case_ids(envelope)


def build_envelope(event_type, order, *, event_id=None, outlet_id=None, tenant_id=None):
    """The protocol's event envelope for ``order`` (a dict with outlet_id, tenant_id, order_id).

    Raises ``KitchenSyncError`` for an event the protocol refuses (``payload_rules``): an
    outlet's relay would refuse it too, and its kitchens would never see it. Its ``issues``
    name the fields of ``order`` as the relay would (``items.0.name``).
    """
    envelope = _envelope(event_type, order, event_id, outlet_id, tenant_id)
    check_central_event(envelope, logged=False, of_order=True)
    return envelope


def _messages(envelope, seq=None):
    message = {"type": HANDLER_TYPE, "event": envelope["type"], "data": envelope}
    if seq is not None:
        # The event's place in the outlet log: the socket frame carries it as the client's cursor.
        message["seq"] = seq
    groups = [outlet_group(envelope["outlet_id"])]
    if envelope["tenant_id"] is not None:
        groups.append(tenant_group(envelope["outlet_id"], envelope["tenant_id"]))
    return groups, message


async def _send(layer, groups, message):
    """Best effort: a broadcast that fails (Redis down) is logged, never raised. It leaves
    after the change committed, so raising would answer an error for a stored change (a kiosk
    would see a 500 for a booked order); a logged event still reaches the kitchens through the
    relay's downlink, and sockets through ``?since=``."""
    try:
        layer = layer or get_channel_layer()
        for group in groups:
            await layer.group_send(group, message)
    except Exception as error:
        envelope = message["data"]
        logger.error(
            "outlet %s: broadcast of %s %s (seq %s) failed, the sockets did not get it live: %r",
            envelope.get("outlet_id"), envelope.get("type"), envelope.get("event_id"),
            message.get("seq"), error,
        )


async def abroadcast_order_event(event_type, order, *, event_id=None, outlet_id=None,
                                 tenant_id=None, channel_layer=None):
    """Async form of ``broadcast_order_event`` (sends at once, no on_commit)."""
    envelope = build_envelope(
        event_type, order, event_id=event_id, outlet_id=outlet_id, tenant_id=tenant_id
    )
    groups, message = _messages(envelope)
    await _send(channel_layer, groups, message)
    return envelope


def broadcast_order_event(event_type, order, *, event_id=None, outlet_id=None, tenant_id=None,
                          channel_layer=None, on_commit=True, using="default"):
    """Sends ``{event, data: envelope}`` to the outlet's sockets and returns the envelope.

    Pass the ``event_id`` the POS used with the relay when known, so the kitchen drops the
    second copy. With ``on_commit`` (default) the event leaves after the surrounding
    transaction commits, and never for a rolled-back change. An event the protocol refuses
    raises ``KitchenSyncError`` (see ``build_envelope``) and is not sent.
    """
    envelope = build_envelope(
        event_type, order, event_id=event_id, outlet_id=outlet_id, tenant_id=tenant_id
    )
    groups, message = _messages(envelope)

    def send():
        async_to_sync(_send)(channel_layer, groups, message)

    if on_commit:
        transaction.on_commit(send, using=using)
    else:
        send()
    return envelope


def publish_order_event(event_type, order, *, event_id=None, outlet_id=None, tenant_id=None,
                        channel_layer=None, using="default"):
    """Records the event in the outlet log and, after commit, broadcasts it with its log seq.

    What central itself changes should go this way: the frame carries ``seq``, so a socket that
    reconnects with ``?since=`` gets what it missed, and the relay's downlink brings it to the
    kitchens. Returns ``(envelope, seq, created)``; an event already in the log (by
    ``event_id``, or a ``new_order`` by ``order_id``) is not broadcast again (``created`` False,
    the logged envelope and seq are returned). An event the protocol refuses raises
    ``KitchenSyncError`` (see ``build_envelope``; presence is never logged) before anything is
    logged or sent.
    """
    from .outlet_log import append_event

    envelope = _envelope(event_type, order, event_id, outlet_id, tenant_id)
    # Before anything is written: the outlet's relay would refuse what the protocol refuses.
    check_central_event(envelope, logged=True, of_order=True)
    with transaction.atomic(using=using):
        row, created = append_event(envelope, source="central", using=using)
        if not created:
            return row.envelope, row.seq, False
        groups, message = _messages(envelope, row.seq)

        def send():
            async_to_sync(_send)(channel_layer, groups, message)

        # Inside the atomic block: the event leaves when the outermost transaction commits.
        transaction.on_commit(send, using=using)
    return envelope, row.seq, True
