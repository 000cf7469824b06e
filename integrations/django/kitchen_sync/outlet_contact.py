"""When each outlet was last in contact with central, and the guard that refuses new orders
for an outlet that has been away too long.

Contact is what only a reachable outlet does: its relay's upload or downlink poll (the relay
polls every second while central answers), or a pos or kitchen socket opening, pinging
(every 25 s) or closing. A monitor or admin socket does not count: a head-office screen can
watch an outlet whose own line is down.

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

# outlet id -> monotonic time of this process's last write: the write is skipped within
# OUTLET_CONTACT_WRITE_INTERVAL. Per process, so several workers write more, never less.
_written = {}
_written_lock = threading.Lock()


def record_contact(outlet_id, via):
    """Notes that ``outlet_id`` reached central now (``via`` "upload", "downlink" or
    "socket"; a socket only refreshes the row a relay made); returns whether it went to the
    database. A database failure is logged, never raised: the request that showed the
    contact goes on."""
    outlet = str(outlet_id)
    interval = float(ks_setting("OUTLET_CONTACT_WRITE_INTERVAL"))
    moment = monotonic()
    with _written_lock:
        last = _written.get(outlet)
        if last is not None and moment - last < interval:
            return False
        _written[outlet] = moment
    try:
        _store(outlet, via)
    except DatabaseError as error:
        with _written_lock:
            # Not written: the next contact tries again.
            if _written.get(outlet) == moment:
                del _written[outlet]
        logger.warning("outlet %s: its last contact could not be stored: %r", outlet, error)
        return False
    return True


def _store(outlet, via):
    from .models import OutletContact

    now = timezone.now()
    # A savepoint: a failure here leaves the caller's transaction usable.
    with transaction.atomic():
        updated = OutletContact.objects.filter(outlet_id=outlet).update(
            last_seen_at=now, last_seen_via=via
        )
        if updated or via not in RELAY_VIAS:
            return
        try:
            with transaction.atomic():
                OutletContact.objects.create(
                    outlet_id=outlet, last_seen_at=now, last_seen_via=via
                )
        except IntegrityError:
            # Another process created it first.
            OutletContact.objects.filter(outlet_id=outlet).update(last_seen_at=now, last_seen_via=via)


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


def is_offline(last_seen_at, now=None):
    """Whether an outlet last seen at ``last_seen_at`` counts as offline (never seen: no)."""
    limit = offline_after()
    if limit is None or last_seen_at is None:
        return False
    return (now or timezone.now()) - last_seen_at > limit


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
    """Raises ``KitchenSyncError("outlet_offline")`` (503, with ``last_seen_at``) when the
    outlet was seen but not within OUTLET_OFFLINE_AFTER. Central's own new orders pass here
    (``publish_order_event``, ``record_event``); call it yourself to ask before payment."""
    if offline_after() is None:
        return
    seen = last_contact(outlet_id, using=using)
    if not is_offline(seen):
        return
    stamp = wire_time(seen)
    raise KitchenSyncError(
        "outlet_offline",
        f"outlet {outlet_id} has not been in contact with central since {stamp}: "
        "its kitchen would not get this order",
        last_seen_at=stamp,
    )
