"""Central's per-outlet event log: what relays upload and what central itself changes.

An event enters the log once: by ``event_id``, and for ``new_order`` also by ``order_id``
(the POS's service worker and the relay's uplink may deliver one order under two event
ids). Whoever records an event learns whether it was new, and only a new event is applied
to the project's own order tables, so at-least-once delivery has an exactly-once effect.
"""

import datetime
import logging
import zlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import KitchenSyncError
from .events import EVENT_TYPES, to_wire, with_lower_case_ids
from .outlet_contact import require_outlet_online
from .payload_rules import (
    ORDER_EVENT_TYPES,
    ORDER_STATUSES,
    UUID,
    check_central_event,
    find_unsafe,
    issue_path,
    refusal,
    unstorable,
)
from .settings import ks_setting
from .versioned import take_versions

logger = logging.getLogger("kitchen_sync.outlet_log")

# The relay's seqs are JavaScript numbers: beyond 2**53-1 they are no longer exact.
MAX_SEQ = 2**53 - 1
# Deepest nesting of an uploaded event. Not the protocol's 16: an older relay's log may hold an
# order a level deeper than today's rule, and refusing it would stop that outlet's uplink for
# good. But an event some 900 levels deep passed the parser and failed at the insert (the
# JSON encoder's recursion), a 500 on every retry.
UPLOAD_MAX_DEPTH = 64


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
    log: the caller then must not apply it again. Runs in (or opens) a transaction. An event
    of ``source="central"`` the protocol refuses raises ``KitchenSyncError`` and is not logged
    (``payload_rules``): the relay's downlink would bring it to an outlet that refuses it.
    """
    if source == "central":
        # As build_envelope sends it: Decimal and datetime as the protocol writes them, UUIDs
        # in lower case.
        envelope = with_lower_case_ids(to_wire(envelope))
        check_central_event(envelope, logged=True)
    return append_event(
        envelope, source=source, relay_epoch=relay_epoch, relay_seq=relay_seq, using=using
    )


def append_event(envelope, *, source, relay_epoch=None, relay_seq=None, using="default"):
    """``record_event`` for an envelope already checked."""
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
        if source == "central" and event_type == "new_order":
            # Its kitchen gets it through the outlet's relay only: refused (503) while that
            # outlet is out of contact, rather than booked and cooked days later.
            require_outlet_online(outlet, using=using)
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


def _storable_issues(value, where):
    """``[(path, message)]`` for what PostgreSQL cannot store (``payload_rules.unstorable``),
    anywhere in ``value``. A batch holding one would fail at the insert on every retry and
    block the outlet's uplink."""
    return [(_upload_path(where, path), message) for path, message in unstorable(value)]


def _is_uuid(value):
    return isinstance(value, str) and UUID.fullmatch(value) is not None


def _upload_path(where, path):
    # Within the body, as the protocol spells every path: events.2.data.items.0.name
    return issue_path((where, *path))


def _event_issues(event, where, previous):
    """``([(path, message)], seq)`` for one uploaded event: everything that would otherwise
    fail at the database or in the project's order tables, be logged as an order of an unknown
    type, or carry a key the protocol forbids anywhere (``__proto__``). The relay checked the
    order itself when it was published: its own events are not checked again here."""
    issues = []
    seq = event.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        issues.append((f"{where}.seq", "must be an integer from 1 to 2**53-1"))
        seq = None
    elif seq <= previous:
        issues.append((f"{where}.seq", "events must be in increasing seq order"))
    event_id, order_id = event.get("event_id"), event.get("order_id")
    if not _is_uuid(event_id):
        issues.append((f"{where}.event_id", "must be a UUID string"))
    # A relay logs orders by UUID only, and the project's order tables key by it.
    if order_id is not None and not _is_uuid(order_id):
        issues.append((f"{where}.order_id", "must be a UUID string"))
    if event.get("type") not in EVENT_TYPES:
        issues.append((f"{where}.type", "must be one of the protocol's event types"))
    for name, required in (("outlet_id", True), ("tenant_id", False)):
        try:
            _text(event.get(name), name, required=required)
        except KitchenSyncError as error:
            issues.append((f"{where}.{name}", error.message))
    issues += _storable_issues(event, where)
    unsafe = find_unsafe(event, max_depth=UPLOAD_MAX_DEPTH)
    if unsafe:
        issues.append((_upload_path(where, unsafe[0]), unsafe[1]))
    # An order's status goes into the project's order tables (a short column): one the protocol
    # does not know would fail there on every retry, or be stored as no state at all.
    data = event.get("data")
    if event.get("type") in ORDER_EVENT_TYPES and isinstance(data, dict) and "status" in data:
        if data["status"] not in ORDER_STATUSES:
            issues.append((f"{where}.data.status", "must be a known order status"))
    return issues, seq


def apply_relay_batch(outlet_id, epoch, events, apply, using="default", pruned_through=None):
    """Records a relay's batch (its log in seq order) and applies each new event.

    ``apply(row)`` runs for events new to central, in the same transaction, so an event is
    logged exactly when its effect is; it raises ``KitchenSyncError("invalid_transition")``
    (or ``"forbidden"``: an order of another outlet) to refuse one (the row keeps the reason in
    ``conflict``). Events at or below the cursor of
    (outlet, epoch) were applied before and are passed over. Returns ``{"epoch", "last_seq",
    "applied", "duplicates", "conflicts"}``: ``applied`` counts the events that entered the log
    (and went to ``apply``), ``conflicts`` those of them ``apply`` refused, ``duplicates`` the
    rest, so ``applied + duplicates`` is the batch's length. ``last_seq`` is what the relay may
    advance its cursor to.

    The whole batch is refused, nothing applied, with:

    - ``seq_gap`` (and ``last_seq``: the cursor) when it starts after the cursor's next seq:
      central's database was restored from a backup, and the relay must resend from
      ``last_seq``. Events up to ``pruned_through`` (the relay's retention removed them; it
      can never send them) do not count as a gap.
    - ``epoch_conflict`` (and ``seq``) when an event at or below the cursor is not one central
      logged: that seq of the epoch was another event, so two relay logs share the epoch
      (a copied data dir). Passing it over as a duplicate would lose it for good.
    """
    from .models import RelayUploadCursor

    outlet = _text(outlet_id, "outlet_id")
    epoch = _text(epoch, "epoch")
    if not isinstance(events, list):
        raise KitchenSyncError("invalid_payload", "events must be a list")
    if pruned_through is None:
        pruned_through = 0
    if isinstance(pruned_through, bool) or not isinstance(pruned_through, int) or not 0 <= pruned_through <= MAX_SEQ:
        raise KitchenSyncError("invalid_payload", "pruned_through must be an integer from 0 to 2**53-1")
    # All of it is checked before anything is written: the batch is kept whole or refused
    # whole, with a 400 the relay can report rather than a database error on every retry.
    issues = _storable_issues(outlet, "outlet_id") + _storable_issues(epoch, "epoch")
    previous = 0
    for index, event in enumerate(events):
        where = f"events.{index}"
        if not isinstance(event, dict):
            issues.append((where, "must be an object"))
            continue
        found, seq = _event_issues(event, where, previous)
        issues += found
        previous = max(previous, seq or 0)
    if issues:
        raise refusal("invalid_payload", issues)
    if any(_text(event.get("outlet_id"), "outlet_id") != outlet for event in events):
        raise KitchenSyncError("forbidden", "an event of another outlet")
    with transaction.atomic(using=using):
        cursors = RelayUploadCursor.objects.using(using)
        cursors.bulk_create([RelayUploadCursor(outlet_id=outlet, epoch=epoch)], ignore_conflicts=True)
        # Locked: two uploads of one relay log (a restart racing its old request) take turns.
        cursor = cursors.select_for_update().get(outlet_id=outlet, epoch=epoch)
        fresh = [event for event in events if event["seq"] > cursor.last_seq]
        next_seq = max(cursor.last_seq, pruned_through) + 1
        if fresh and fresh[0]["seq"] > next_seq:
            logger.warning(
                "outlet %s epoch %s: upload starts at seq %s, central has up to %s (restored?); "
                "the relay is asked to resend from there",
                outlet, epoch, fresh[0]["seq"], cursor.last_seq,
            )
            raise KitchenSyncError(
                "seq_gap",
                f"central has this epoch up to seq {cursor.last_seq}; resend from there",
                last_seq=cursor.last_seq,
            )
        if fresh and fresh[0]["seq"] > cursor.last_seq + 1:
            logger.warning(
                "outlet %s epoch %s: seqs %s to %s never reached central (the relay's retention "
                "removed them)", outlet, epoch, cursor.last_seq + 1, fresh[0]["seq"] - 1,
            )
        # By event_id (and order_id) over the whole batch: an event at or below the cursor
        # that central never logged is not a duplicate but another log's event at that seq.
        new = _not_yet_logged(outlet, events, using)
        unknown = next((event for event in new if event["seq"] <= cursor.last_seq), None)
        if unknown is not None:
            logger.error(
                "outlet %s epoch %s: seq %s is event %s, central logged another event there: two "
                "relay logs share this epoch (a copied or restored data dir)",
                outlet, epoch, unknown["seq"], unknown["event_id"],
            )
            raise KitchenSyncError(
                "epoch_conflict",
                f"seq {unknown['seq']} of epoch {epoch} is another event at central: two relay "
                "logs share this epoch (a copied or restored data dir)",
                seq=unknown["seq"],
                last_seq=cursor.last_seq,
            )
        _note_echoes(outlet, epoch, events, new, using)
        applied = conflicts = 0
        if new:
            # One counter step for the batch: the counter row is the log's only hot row.
            first = take_versions(log_collection(outlet), len(new), using=using)
            for offset, event in enumerate(new):
                row = _insert(event, outlet, first + offset, epoch, using)
                if row is None:
                    continue
                applied += 1
                if not _applied(row, apply, using):
                    conflicts += 1
        if fresh:
            _warn_if_epochs_alternate(cursors, cursor)
            cursor.last_seq = fresh[-1]["seq"]
            cursor.save(using=using, update_fields=["last_seq", "updated_at"])
    return {
        "epoch": epoch,
        "last_seq": cursor.last_seq,
        "applied": applied,
        "duplicates": len(events) - applied,
        "conflicts": conflicts,
    }


# When this process last warned about an outlet's alternating epochs: one warning per window.
_alternation_warned = {}


def _warn_if_epochs_alternate(cursors, cursor):
    """Warns when another epoch of the outlet uploaded after this epoch's last upload, within
    EPOCH_OVERLAP_WINDOW: two relays hold one outlet's credential (a cloned PC) and both take
    central's web orders. A relay reinstalled with a new epoch is not this: the old epoch's
    last upload is older than every upload of the new one."""
    now = timezone.now()
    window = datetime.timedelta(seconds=ks_setting("EPOCH_OVERLAP_WINDOW"))
    other = (
        cursors.filter(outlet_id=cursor.outlet_id, updated_at__gt=max(cursor.updated_at, now - window))
        .exclude(epoch=cursor.epoch)
        .order_by("-updated_at")
        .first()
    )
    if other is None:
        return
    warned = _alternation_warned.get(cursor.outlet_id)
    if warned is not None and now - warned < window:
        return
    _alternation_warned[cursor.outlet_id] = now
    logger.warning(
        "outlet %s: uploads alternate between relay epochs %s and %s: two relays use this "
        "outlet's credential (a cloned PC?) and both get central's web orders; stop one (see "
        "the admin's relay upload cursors)",
        cursor.outlet_id, other.epoch, cursor.epoch,
    )


# What ``apply`` raises to refuse one event: a transition the order's state forbids, or an
# order of another outlet than the event's.
REFUSALS = ("invalid_transition", "forbidden")


def _applied(row, apply, using):
    """Runs ``apply(row)``; a refused event (``REFUSALS``) is kept on the row for an operator
    (and undone), never silently dropped, and never fails the batch: the relay would send it
    again forever."""
    try:
        with transaction.atomic(using=using):
            apply(row)
    except KitchenSyncError as error:
        if error.code not in REFUSALS:
            raise
        row.conflict = error.message[:500]
        row.save(using=using, update_fields=["conflict"])
        logger.warning("outlet %s: %s not applied: %s", row.outlet_id, row.event_id, error.message)
        return False
    return True


def _note_echoes(outlet, epoch, events, new, using):
    """Central's own events the relay sends back (its downlink wrote them into the relay's log
    under central's event ids) keep where they sit in that log: ``outlet_had_central_changes``
    goes by it."""
    from .models import OutletEvent

    fresh_ids = {id(event) for event in new}
    echoed = {str(e.get("event_id")): e["seq"] for e in events if id(e) not in fresh_ids}
    if not echoed:
        return
    made_here = OutletEvent.objects.using(using).filter(
        outlet_id=outlet, event_id__in=list(echoed)
    ).exclude(source="relay")
    for row in made_here:
        if (row.relay_epoch, row.relay_seq) != (epoch, echoed[row.event_id]):
            row.relay_epoch, row.relay_seq = epoch, echoed[row.event_id]
            row.save(using=using, update_fields=["relay_epoch", "relay_seq"])


def outlet_had_central_changes(row, using="default"):
    """Whether the order's status at central, before ``row`` (a relay's event), is one the
    outlet had when it made ``row``: the last change central applied to it came from that
    relay itself (its own upload), or was central's own and came back in the relay's upload at
    a lower seq of the same log (the downlink had brought it). A central change the relay took
    as a duplicate (it had the same status already) never comes back, but the relay's own
    later changes then set central's status, so they are what counts.

    A new order sets no status either side could change apart, and an acknowledgement changes
    none; refused events (``conflict``) changed nothing. One indexed query (outlet, order,
    seq): ask only when it decides something (a recall)."""
    from .models import OutletEvent

    last = (
        OutletEvent.objects.using(using)
        .filter(outlet_id=row.outlet_id, order_id=row.order_id, seq__lt=row.seq, conflict="")
        .exclude(type__in=("new_order", "order_acknowledged"))
        .order_by("-seq")
        .only("source", "relay_epoch", "relay_seq")
        .first()
    )
    if last is None or last.source == "relay":
        return True
    return (
        last.relay_epoch == row.relay_epoch
        and last.relay_seq is not None
        and last.relay_seq < row.relay_seq
    )


def _not_yet_logged(outlet, events, using):
    """The events of the batch central has not logged: by event_id, and for new orders by
    order_id too (also within the batch itself)."""
    from .models import OutletEvent

    logged = OutletEvent.objects.using(using).filter(outlet_id=outlet)
    seen_events = set(
        logged.filter(event_id__in=[str(e.get("event_id")) for e in events]).values_list(
            "event_id", flat=True
        )
    )
    new_order_ids = [str(e["order_id"]) for e in events if e.get("type") == "new_order" and e.get("order_id")]
    seen_orders = set(
        logged.filter(type="new_order", order_id__in=new_order_ids).values_list("order_id", flat=True)
    )
    new = []
    for event in events:
        event_id = _text(event.get("event_id"), "event_id")
        order_id = _text(event.get("order_id"), "order_id", required=False)
        if event_id in seen_events:
            continue
        if event.get("type") == "new_order" and order_id is not None:
            if order_id in seen_orders:
                continue
            seen_orders.add(order_id)
        seen_events.add(event_id)
        new.append(event)
    return new


def _insert(event, outlet, seq, epoch, using):
    """The new row, or None when a concurrent writer logged the same event first."""
    from .models import OutletEvent

    try:
        # A savepoint: a racing writer's insert of the same event fails only this step (its
        # seq is then unused: readers of the log go by seq > cursor, so a gap is harmless).
        with transaction.atomic(using=using):
            row = OutletEvent.objects.using(using).create(
                outlet_id=outlet,
                seq=seq,
                event_id=_text(event.get("event_id"), "event_id"),
                type=_text(event.get("type"), "type"),
                order_id=_text(event.get("order_id"), "order_id", required=False),
                tenant_id=_text(event.get("tenant_id"), "tenant_id", required=False),
                envelope=event,
                source="relay",
                relay_epoch=epoch,
                relay_seq=event["seq"],
            )
    except IntegrityError:
        return None
    return row


def event_check(event_id):
    """A number naming the event at a seq (CRC-32 of its event_id): the downlink hands it to
    the relay with ``last_seq`` and the relay sends it back with ``since``, so central can tell
    whether ``since`` still names the same event of the same log."""
    return zlib.crc32(str(event_id).encode("utf-8"))


def events_for_relay(outlet_id, since, limit, using="default", check=None):
    """The outlet's events made at central after ``since``, oldest first, for the downlink.
    Each envelope carries ``seq`` = central's seq (the relay's cursor into this log), and the
    answer ``last_check`` = ``event_check`` of the event at ``last_seq`` (absent at 0).

    ``reset: True`` (and no other answer has the key) when ``since`` is not a seq of this log:
    above its head, or, with ``check``, a seq whose event is not the one the relay was told of.
    The second is how a restore is seen after central's head passed the relay's cursor again
    (relay uploads move the same seq counter)."""
    from .models import OutletEvent

    log = OutletEvent.objects.using(using).filter(outlet_id=str(outlet_id))
    # The head first: seqs become visible in order, so every event up to it is readable now,
    # and the cursor may pass over the relay's own events up to it.
    head_seq, head_id = log.order_by("-seq").values_list("seq", "event_id").first() or (0, None)
    stale = since > head_seq
    if not stale and check is not None and since > 0:
        at = log.filter(seq=since).values_list("event_id", flat=True).first()
        stale = at is None or event_check(at) != check
    if stale:
        # A cursor of another log (central's database was replaced or restored): the relay
        # starts again from 0; events are idempotent by event_id, so nothing is applied twice.
        return {"events": [], "last_seq": head_seq, "has_more": False, "reset": True}
    rows = list(
        log.filter(seq__gt=since, seq__lte=head_seq).exclude(source="relay").order_by("seq")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    last_seq, last_id = (rows[-1].seq, rows[-1].event_id) if has_more else (head_seq, head_id)
    answer = {
        "events": [{**row.envelope, "seq": row.seq} for row in rows],
        "last_seq": last_seq,
        "has_more": has_more,
    }
    if last_id is not None:
        answer["last_check"] = event_check(last_id)
    return answer


def event_id_at(outlet_id, seq, using="default"):
    """The ``event_id`` the outlet's log holds at ``seq`` (its unique key), None when it holds
    none there (pruned, or past the head)."""
    from .models import OutletEvent

    rows = OutletEvent.objects.using(using).filter(outlet_id=str(outlet_id), seq=seq)
    return rows.values_list("event_id", flat=True).first()


def log_bounds(outlet_id, using="default"):
    """``(oldest, head)``: the lowest and highest seq the outlet's log holds, ``(None, 0)``
    when it is empty. Read before a page of the log: every seq up to ``head`` is visible."""
    from django.db.models import Max, Min

    from .models import OutletEvent

    bounds = OutletEvent.objects.using(using).filter(outlet_id=str(outlet_id)).aggregate(
        oldest=Min("seq"), head=Max("seq")
    )
    return bounds["oldest"], bounds["head"] or 0


def events_for_socket(outlet_id, tenants, after, head, limit, using="default"):
    """One page of what the outlet socket replays: ``[(seq, envelope)]`` with ``after < seq <=
    head``, oldest first. Only events made at central (the ones it broadcasts; a relay's
    upload reaches the outlet's screens through the relay), and with ``tenants`` (a list of
    ids, or None for the whole outlet) only those tenants' events, as the groups would."""
    from .models import OutletEvent

    rows = (
        OutletEvent.objects.using(using)
        .filter(outlet_id=str(outlet_id), seq__gt=after, seq__lte=head)
        .exclude(source="relay")
    )
    if tenants is not None:
        rows = rows.filter(tenant_id__in=[str(t) for t in tenants])
    rows = rows.order_by("seq").values_list("seq", "envelope")[:limit]
    return list(rows)
