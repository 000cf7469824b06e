"""Central's per-outlet event log: what relays upload and what central itself changes.

An event enters the log once: by ``event_id``, and for ``new_order`` also by ``order_id``
(the POS's service worker and the relay's uplink may deliver one order under two event
ids). Whoever records an event learns whether it was new, and only a new event is applied
to the project's own order tables, so at-least-once delivery has an exactly-once effect.
"""

from django.db import IntegrityError, transaction

from .errors import KitchenSyncError
from .versioned import take_versions


def log_collection(outlet_id):
    # The SyncCounter row that orders this outlet's log (ids are at most 64 characters).
    return f"kitchen_sync.outlet_log:{outlet_id}"


def _text(value, name, required=True):
    if value is None or value == "":
        if required:
            raise KitchenSyncError("invalid_payload", f"an event needs {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise KitchenSyncError("invalid_payload", f"{name} must be a string or an integer")
    text = str(value)
    if len(text) > 64:
        raise KitchenSyncError("invalid_payload", f"{name} must be at most 64 characters")
    return text


def _duplicate_of(model, outlet, event_id, event_type, order_id, using):
    events = model.objects.using(using).filter(outlet_id=outlet)
    found = events.filter(event_id=event_id).first()
    if found is None and event_type == "new_order" and order_id is not None:
        found = events.filter(type="new_order", order_id=order_id).first()
    return found


def record_event(envelope, *, source, relay_epoch=None, relay_seq=None, using="default"):
    """Appends ``envelope`` at its outlet's next seq; returns ``(row, created)``.

    ``created`` is False when the event (or, for a new order, the order) is already in the
    log: the caller then must not apply it again. Runs in (or opens) a transaction.
    """
    from .models import OutletEvent

    if not isinstance(envelope, dict):
        raise KitchenSyncError("invalid_payload", "an event must be an object")
    outlet = _text(envelope.get("outlet_id"), "outlet_id")
    event_id = _text(envelope.get("event_id"), "event_id")
    event_type = _text(envelope.get("type"), "type")
    order_id = _text(envelope.get("order_id"), "order_id", required=False)
    tenant = _text(envelope.get("tenant_id"), "tenant_id", required=False)
    with transaction.atomic(using=using):
        found = _duplicate_of(OutletEvent, outlet, event_id, event_type, order_id, using)
        if found is not None:
            return found, False
        # The counter row stays locked until commit: later seqs become visible later.
        seq = take_versions(log_collection(outlet), using=using)
        try:
            # A savepoint: a racing writer's insert of the same event fails only this step.
            with transaction.atomic(using=using):
                row = OutletEvent.objects.using(using).create(
                    outlet_id=outlet,
                    seq=seq,
                    event_id=event_id,
                    type=event_type,
                    order_id=order_id,
                    tenant_id=tenant,
                    envelope=envelope,
                    source=source,
                    relay_epoch=relay_epoch,
                    relay_seq=relay_seq,
                )
        except IntegrityError:
            found = _duplicate_of(OutletEvent, outlet, event_id, event_type, order_id, using)
            if found is None:
                raise
            return found, False
    return row, True


def _relay_seq(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise KitchenSyncError("invalid_payload", "every event needs its relay seq (an integer >= 1)")
    return value


def apply_relay_batch(outlet_id, epoch, events, apply, using="default"):
    """Records a relay's batch (its log in seq order) and applies each new event.

    ``apply(row)`` runs for events new to central, in the same transaction, so an event is
    logged exactly when its effect is. Events at or below the cursor of (outlet, epoch)
    were applied before and are passed over. Returns ``{"epoch", "last_seq", "applied",
    "duplicates"}``; ``last_seq`` is what the relay may advance its cursor to.
    """
    from .models import RelayUploadCursor

    outlet = _text(outlet_id, "outlet_id")
    epoch = _text(epoch, "epoch")
    if not isinstance(events, list):
        raise KitchenSyncError("invalid_payload", "events must be a list")
    previous = 0
    for event in events:
        if not isinstance(event, dict):
            raise KitchenSyncError("invalid_payload", "an event must be an object")
        seq = _relay_seq(event.get("seq"))
        if seq <= previous:
            raise KitchenSyncError("invalid_payload", "events must be in increasing seq order")
        previous = seq
        if _text(event.get("outlet_id"), "outlet_id") != outlet:
            raise KitchenSyncError("forbidden", "an event of another outlet")
    applied = duplicates = 0
    with transaction.atomic(using=using):
        cursors = RelayUploadCursor.objects.using(using)
        cursors.bulk_create([RelayUploadCursor(outlet_id=outlet, epoch=epoch)], ignore_conflicts=True)
        # Locked: two uploads of one relay log (a restart racing its old request) take turns.
        cursor = cursors.select_for_update().get(outlet_id=outlet, epoch=epoch)
        for event in events:
            if event["seq"] <= cursor.last_seq:
                duplicates += 1
                continue
            row, created = record_event(
                event, source="relay", relay_epoch=epoch, relay_seq=event["seq"], using=using
            )
            if created:
                apply(row)
                applied += 1
            else:
                duplicates += 1
            cursor.last_seq = event["seq"]
        cursor.save(using=using, update_fields=["last_seq", "updated_at"])
    return {"epoch": epoch, "last_seq": cursor.last_seq, "applied": applied, "duplicates": duplicates}
