"""When each outlet was last in contact with central, and the guard that refuses new orders
for an outlet that has been away too long, or that central could not bring an order to.

Contact is what only a reachable outlet does: its relay's upload or downlink poll (the relay
polls every second while central answers), or a pos or kitchen socket opening, pinging
(every 25 s) or closing. A monitor or admin socket does not count: a head-office screen can
watch an outlet whose own line is down.

Delivery contact is the part of it that can bring a new order to the outlet's kitchen: a
downlink poll central answered, or a kitchen socket (central broadcasts to it). The uplink and
the downlink fail separately (an unrouted downlink view, a 500 in it, a relay whose downlink
stopped): an outlet whose relay only uploads is reachable, but its kitchen gets no web order.
The guard goes by delivery contact; without any yet, it counts from the relay's first request.
An answered downlink poll is also kept apart (``relay_delivering``): while the relay brings
central's orders, an outlet socket leaves the open orders to it.

Rule: an outlet whose relay never reached central (no relay bridged yet, a central-only
deployment whose kitchens use central's socket) has no contact row and is not guarded. The
row is made by the relay's first request; sockets only keep it fresh. Delete the row (admin,
*Outlet contacts*) when the outlet stops being bridged.
"""

import datetime
import logging
import threading
from time import monotonic

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from .errors import KitchenSyncError
from .settings import ks_setting

logger = logging.getLogger("kitchen_sync.outlet_contact")

# Only these make an outlet's row (and so start the guard); the others only refresh it.
RELAY_VIAS = ("upload", "downlink")

# Roles whose socket shows the outlet itself is online (see the module's docstring).
CONTACT_ROLES = ("pos", "kitchen")

# Roles whose socket also gets central's new orders: a POS socket shows the outlet is online,
# not that a kitchen would cook what central takes.
DELIVERY_ROLES = ("kitchen",)

# (outlet id, kind) -> monotonic time of this process's last write of that kind: the write is
# skipped within OUTLET_CONTACT_WRITE_INTERVAL. Kinds: False (any contact), True (a delivery),
# "downlink" (an answered poll). Apart, so uploads written often never hide the delivery contact
# of the polls in between, nor a kitchen socket's the polls' own; a write counts as every kind
# below it. Per process, so several workers write more, never less.
_written = {}
_written_lock = threading.Lock()


def record_contact(outlet_id, via, delivers=False, downlink_since=None):
    """Notes that ``outlet_id`` reached central now (``via`` "upload", "downlink" or
    "socket"; a socket only refreshes the row a relay made), and with ``delivers`` that this
    contact could bring it an order (a downlink poll central answered, a kitchen socket);
    returns whether it went to the database. ``downlink_since``: the answered poll's cursor,
    kept with it (``OutletContact.downlink_since``). A database failure is logged, never raised: the
    request that showed the contact goes on."""
    outlet = str(outlet_id)
    interval = float(ks_setting("OUTLET_CONTACT_WRITE_INTERVAL"))
    moment = monotonic()
    kinds = ((outlet, True), (outlet, False)) if delivers else ((outlet, False),)
    if delivers and via == "downlink":
        kinds = ((outlet, "downlink"),) + kinds
    with _written_lock:
        last = _written.get(kinds[0])
        if last is not None and moment - last < interval:
            return False
        for kind in kinds:
            _written[kind] = moment
    try:
        _store(outlet, via, delivers, downlink_since)
    except DatabaseError as error:
        with _written_lock:
            # Not written: the next contact tries again.
            for kind in kinds:
                if _written.get(kind) == moment:
                    del _written[kind]
        logger.warning("outlet %s: its last contact could not be stored: %r", outlet, error)
        return False
    return True


def _store(outlet, via, delivers, downlink_since=None):
    from .models import OutletContact

    now = timezone.now()
    seen = {"last_seen_at": now, "last_seen_via": via}
    if delivers:
        seen.update(last_delivery_at=now, last_delivery_via=via)
    if delivers and via == "downlink":
        seen.update(last_downlink_at=now)
        if downlink_since is not None:
            seen.update(downlink_since=downlink_since)
    # A savepoint: a failure here leaves the caller's transaction usable.
    with transaction.atomic():
        updated = OutletContact.objects.filter(outlet_id=outlet).update(**seen)
        if updated or via not in RELAY_VIAS:
            return
        try:
            with transaction.atomic():
                OutletContact.objects.create(outlet_id=outlet, first_seen_at=now, **seen)
        except IntegrityError:
            # Another process created it first.
            OutletContact.objects.filter(outlet_id=outlet).update(**seen)


def forget_written():
    """Empties this process's record of its writes (tests; an operator's shell)."""
    with _written_lock:
        _written.clear()


def last_contact(outlet_id, using="default"):
    """When ``outlet_id`` was last in contact (up to OUTLET_CONTACT_WRITE_INTERVAL behind),
    or None if central never saw it."""
    from .models import OutletContact

    row = (
        OutletContact.objects.using(using)
        .filter(outlet_id=str(outlet_id))
        .only("last_seen_at")
        .first()
    )
    return None if row is None else row.last_seen_at


def relay_delivering(outlet_id, using="default"):
    """Whether the outlet's relay polled central's downlink successfully within
    RELAY_DELIVERING_WITHIN seconds: it is bringing central's orders to the outlet, and its own
    snapshot shows the kitchens the open orders. False for an outlet whose relay never did (a
    central-only deployment has no row)."""
    from .models import OutletContact

    polled = (
        OutletContact.objects.using(using)
        .filter(outlet_id=str(outlet_id))
        .values_list("last_downlink_at", flat=True)
        .first()
    )
    if polled is None:
        return False
    within = datetime.timedelta(seconds=float(ks_setting("RELAY_DELIVERING_WITHIN")))
    return timezone.now() - polled <= within


def offline_after():
    """OUTLET_OFFLINE_AFTER as a timedelta, or None when the guard is off."""
    seconds = ks_setting("OUTLET_OFFLINE_AFTER")
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ImproperlyConfigured(
            "KITCHEN_SYNC['OUTLET_OFFLINE_AFTER'] must be a positive number of seconds or None"
        )
    return datetime.timedelta(seconds=seconds)


def offline_reason(contact, now=None):
    """Why the guard refuses new orders for the outlet of ``contact`` (its OutletContact, or
    None when central never saw its relay): None when it does not, ``"no_contact"`` when
    nothing of the outlet reached central within OUTLET_OFFLINE_AFTER, ``"no_delivery"`` when
    something did (its relay's uploads, a POS) but nothing that could bring it an order."""
    limit = offline_after()
    if limit is None or contact is None:
        return None
    now = now or timezone.now()
    # Never a delivery contact: counted from the relay's first request, so a relay whose
    # downlink never worked is refused too, and a new one gets the limit to start polling.
    delivered = contact.last_delivery_at or contact.first_seen_at
    if now - delivered <= limit:
        return None
    return "no_contact" if now - contact.last_seen_at > limit else "no_delivery"


def wire_time(moment):
    """UTC, milliseconds and ``Z``, as the protocol's timestamps."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return (
        moment.astimezone(datetime.timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def require_outlet_online(outlet_id, using="default"):
    """Raises ``KitchenSyncError("outlet_offline")`` (503, with ``reason``, ``last_seen_at``
    and ``last_delivery_at``) when ``offline_reason`` says the outlet's kitchen would not get
    a new order now. Central's own new orders pass here (``publish_order_event``,
    ``record_event``); call it yourself to ask before payment."""
    from .models import OutletContact

    if offline_after() is None:
        return
    contact = OutletContact.objects.using(using).filter(outlet_id=str(outlet_id)).first()
    reason = offline_reason(contact)
    if reason is None:
        return
    seen = wire_time(contact.last_seen_at)
    delivered = None if contact.last_delivery_at is None else wire_time(contact.last_delivery_at)
    if reason == "no_contact":
        message = f"outlet {outlet_id} has not been in contact with central since {seen}"
    else:
        since = delivered or wire_time(contact.first_seen_at)
        message = (
            f"outlet {outlet_id} reaches central (last at {seen}), but nothing that brings "
            f"orders to its kitchen (a downlink poll central answered, a kitchen socket) "
            f"since {since}"
        )
    raise KitchenSyncError(
        "outlet_offline",
        f"{message}: its kitchen would not get this order",
        reason=reason,
        last_seen_at=seen,
        last_delivery_at=delivered,
    )
