"""The outlet's open orders as central has them, for an outlet socket that has no cursor (a new
screen, or one whose browser data was cleared) or that was reset: the log replays only what
came after a cursor, and such a screen must show the orders already open.

An order is open when its latest event in the outlet log (central's own or its relay's upload:
the relay's carry the outlet's status changes) leaves it in a status that is not final. The
work is bounded: the outlet's last SOCKET_OPEN_ORDERS_SCAN events by seq (a range of the
(outlet_id, seq) index, read without envelopes), orders whose latest event central logged
within SOCKET_OPEN_ORDERS_WINDOW, and envelopes read only for those.
"""

import datetime

from django.utils import timezone

from .order_status import FINAL_STATUSES
from .payload_rules import ORDER_STATUSES
from .settings import ks_setting


def open_order_candidates(outlet_id, tenants, head, using="default"):
    """The ids (``OutletEvent.pk``) of each order's latest event among the outlet's last
    SOCKET_OPEN_ORDERS_SCAN events up to ``head``, when central logged it within
    SOCKET_OPEN_ORDERS_WINDOW; with ``tenants`` (ids, or None for the whole outlet) only those
    tenants' orders. Oldest first. Whether each is open is ``open_order_envelopes``' to say."""
    from .models import OutletEvent

    scan = max(0, int(ks_setting("SOCKET_OPEN_ORDERS_SCAN")))
    logged_after = timezone.now() - datetime.timedelta(
        seconds=float(ks_setting("SOCKET_OPEN_ORDERS_WINDOW"))
    )
    wanted = None if tenants is None else {str(t) for t in tenants}
    recent = (
        OutletEvent.objects.using(using)
        .filter(outlet_id=str(outlet_id), seq__lte=head)
        .order_by("-seq")
        .values_list("pk", "order_id", "tenant_id", "conflict", "created_at")[:scan]
    )
    latest = {}
    for pk, order_id, tenant, conflict, created_at in recent:
        # A refused event (conflict) never changed the order: the one before it stands.
        if order_id is None or conflict or order_id in latest:
            continue
        latest[order_id] = (pk, tenant, created_at)
    candidates = [
        pk
        for pk, tenant, created_at in latest.values()
        if created_at >= logged_after and (wanted is None or tenant in wanted)
    ]
    # Newest first so far: the screen gets them in the order central logged them.
    candidates.reverse()
    return candidates


def open_order_envelopes(candidates, using="default"):
    """The envelopes of ``candidates`` (from ``open_order_candidates``) whose order is open, in
    seq order. Without the relay's ``seq``: these are a snapshot, not places in a log."""
    from .models import OutletEvent

    rows = (
        OutletEvent.objects.using(using)
        .filter(pk__in=list(candidates))
        .order_by("seq")
        .values_list("envelope", flat=True)
    )
    envelopes = []
    for envelope in rows:
        data = envelope.get("data") if isinstance(envelope, dict) else None
        # By the status, not the type: an acknowledgement may follow a completion.
        status = data.get("status") if isinstance(data, dict) else None
        if status in ORDER_STATUSES and status not in FINAL_STATUSES:
            envelopes.append({key: value for key, value in envelope.items() if key != "seq"})
    return envelopes
