"""Pruning central's outlet log (``manage.py prune_outlet_log``): events older than the retention
go, except those a consumer may still need.

Kept, whatever their age:

- the newest event of each outlet: the downlink and the outlet socket read the head, and
  a cursor at it is checked against the event there (``check``, ``since_event``);
- from the outlet relay's downlink cursor on (``OutletContact.downlink_since``, the ``since``
  of its last answered poll), every event: the relay has not read those yet, and the one at
  its cursor is what its ``check`` names. An outlet whose relay never had a poll answered (or
  not since the upgrade that records it) keeps every event central made; only its relay's own
  uploads go, which the downlink never sends;
- every event of an order that is still open (its latest event that central applied leaves it
  in a status other than completed or cancelled, or none), or whose latest event is newer
  than the retention: an order goes whole, and a screen reset shows the open ones from here.

``OutletLogPrune.pruned_through`` says how far it deleted, so that a socket whose cursor falls
below is reset (``pruned_through``) rather than replayed with holes.
"""

import datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .order_status import FINAL_STATUSES
from .settings import ks_setting


def retention_days():
    """OUTLET_LOG_RETENTION_DAYS, checked: a whole number of days from 1 to 99999 (a million
    days back is before year 1)."""
    days = ks_setting("OUTLET_LOG_RETENTION_DAYS")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 99999:
        raise ImproperlyConfigured(
            "KITCHEN_SYNC['OUTLET_LOG_RETENTION_DAYS'] must be a whole number of days from 1 "
            f"to 99999, not {days!r}"
        )
    return days


def pruned_through(outlet_id, using="default"):
    """The highest seq a prune may have deleted from the outlet's log; 0 when none was."""
    from .models import OutletLogPrune

    rows = OutletLogPrune.objects.using(using).filter(outlet_id=str(outlet_id))
    return rows.values_list("pruned_through", flat=True).first() or 0


def prune_outlet_log(older_than_days, batch_size=1000, dry_run=False, using="default"):
    """Deletes what the module's rules let go of events logged more than ``older_than_days``
    ago, every outlet, ``batch_size`` rows per transaction. Returns ``{outlet_id: count}``
    (what was deleted, or with ``dry_run`` what would be) for the outlets with old events."""
    from .models import OutletEvent

    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    outlets = (
        OutletEvent.objects.using(using)
        .filter(created_at__lt=cutoff)
        .order_by("outlet_id")
        .values_list("outlet_id", flat=True)
        .distinct()
    )
    return {
        outlet: prune_outlet(outlet, cutoff, batch_size, dry_run, using)
        for outlet in list(outlets)
    }


def prune_outlet(outlet_id, cutoff, batch_size, dry_run=False, using="default"):
    """One outlet's prune (see ``prune_outlet_log``); returns the count."""
    from .models import OutletContact, OutletEvent

    log = OutletEvent.objects.using(using).filter(outlet_id=outlet_id)
    # Read once: events logged after this (above the head) are never candidates.
    keep_from = log.aggregate(head=Max("seq"))["head"]
    if keep_from is None:
        return 0
    contact = OutletContact.objects.using(using).filter(outlet_id=outlet_id)
    # [] without a row (no relay ever reached central: no downlink to keep events for).
    cursor = list(contact.values_list("downlink_since", flat=True))
    relay_only = cursor == [None]
    if cursor and cursor[0] is not None:
        keep_from = min(keep_from, cursor[0])
    candidates = log.filter(seq__lt=keep_from, created_at__lt=cutoff)
    if relay_only:
        candidates = candidates.filter(source="relay")
    after, count = 0, 0
    while True:
        page = list(
            candidates.filter(seq__gt=after).order_by("seq").values_list("pk", "seq", "order_id")[
                :batch_size
            ]
        )
        if not page:
            return count
        after = page[-1][1]
        gone = _finished_orders(log, {order for _, _, order in page if order}, cutoff)
        doomed = [(pk, seq) for pk, seq, order in page if order is None or order in gone]
        count += len(doomed)
        if doomed and not dry_run:
            _delete(outlet_id, doomed, using)


def _finished_orders(log, order_ids, cutoff):
    """Those of ``order_ids`` that are finished (the status of their latest event central
    applied is final) and whose latest event of all was logged before ``cutoff``."""
    rows = (
        log.filter(order_id__in=list(order_ids))
        .order_by("order_id", "-seq")
        .values_list("order_id", "pk", "conflict", "created_at")
    )
    latest_at, latest_applied = {}, {}
    for order_id, pk, conflict, created_at in rows:
        latest_at.setdefault(order_id, created_at)
        # A refused event (conflict) never changed the order: the one before it stands.
        if not conflict:
            latest_applied.setdefault(order_id, pk)
    old = [pk for order_id, pk in latest_applied.items() if latest_at[order_id] < cutoff]
    finished = set()
    for order_id, envelope in log.filter(pk__in=old).values_list("order_id", "envelope"):
        data = envelope.get("data") if isinstance(envelope, dict) else None
        if isinstance(data, dict) and data.get("status") in FINAL_STATUSES:
            finished.add(order_id)
    return finished


def _delete(outlet_id, doomed, using):
    """Deletes ``doomed`` (``[(pk, seq)]``) and raises the outlet's mark over them, in one
    transaction: a socket that read any page without them reads the mark too."""
    from .models import OutletEvent, OutletLogPrune

    through = max(seq for _, seq in doomed)
    with transaction.atomic(using=using):
        mark, _ = OutletLogPrune.objects.using(using).select_for_update().get_or_create(
            outlet_id=outlet_id
        )
        if through > mark.pruned_through:
            mark.pruned_through = through
            mark.save(using=using, update_fields=["pruned_through", "pruned_at"])
        OutletEvent.objects.using(using).filter(pk__in=[pk for pk, _ in doomed]).delete()
