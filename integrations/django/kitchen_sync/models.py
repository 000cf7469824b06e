from django.db import models
from django.utils import timezone

from .versioned import VersionedModel, VersionedQuerySet  # noqa: F401  (public here too)


class SyncCounter(models.Model):
    """The change counter of one synced collection (products, categories, ...)."""

    collection = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "sync counter"

    def __str__(self):
        return f"{self.collection}: {self.value}"


class IdempotentRequest(models.Model):
    """One answered POST per Idempotency-Key; a repeat gets the stored answer back."""

    key = models.CharField(max_length=255, unique=True)
    path = models.CharField(max_length=255)
    # sha256 of the first attempt's body: a different body under the same key is refused.
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "idempotent request"

    def __str__(self):
        return f"{self.key} -> {self.status}"


class OutletEvent(models.Model):
    """Central's durable log of one outlet's order events, in ``seq`` order per outlet.

    Rows come from a relay's upload (``source="relay"``) or from central itself. ``seq`` is
    taken like a master-data version (a locked counter per outlet), so a reader that sees seq
    n also sees every seq below it: a cursor over this log never skips an event.
    """

    outlet_id = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    event_id = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    order_id = models.CharField(max_length=64, null=True, blank=True)
    tenant_id = models.CharField(max_length=64, null=True, blank=True)
    envelope = models.JSONField()
    source = models.CharField(max_length=10)
    # Where a relay's event sat in that relay's log (epoch changes with a new data dir); for
    # an event of central's, where the outlet's relay logged it (it came back in an upload).
    relay_epoch = models.CharField(max_length=64, null=True, blank=True)
    relay_seq = models.BigIntegerField(null=True, blank=True)
    # Why central refused to apply it (a transition the order's state forbids), for an
    # operator to look at; empty when it was applied.
    conflict = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "outlet event"
        constraints = [
            models.UniqueConstraint(fields=["outlet_id", "seq"], name="ks_outlet_event_seq"),
            models.UniqueConstraint(fields=["outlet_id", "event_id"], name="ks_outlet_event_id"),
            # One new_order per order: the POS's service worker and the relay's uplink may
            # both deliver it, under different event ids.
            models.UniqueConstraint(
                fields=["outlet_id", "order_id"],
                condition=models.Q(type="new_order"),
                name="ks_outlet_event_one_new_order",
            ),
        ]
        indexes = [
            # One order's events in log order: the recall rule reads the last change before one.
            models.Index(fields=["outlet_id", "order_id", "seq"], name="ks_outlet_event_order"),
        ]

    def __str__(self):
        return f"{self.outlet_id}#{self.seq} {self.type}"


class RelayUploadCursor(models.Model):
    """The last relay seq central applied, per outlet and relay log epoch."""

    outlet_id = models.CharField(max_length=64)
    epoch = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "relay upload cursor"
        constraints = [
            models.UniqueConstraint(fields=["outlet_id", "epoch"], name="ks_relay_cursor_epoch"),
        ]

    def __str__(self):
        return f"{self.outlet_id}@{self.epoch}: {self.last_seq}"


class OutletLogPrune(models.Model):
    """How far ``prune_outlet_log`` deleted an outlet's log: every seq up to ``pruned_through``
    may be gone (the events still needed there are kept, so the log's oldest seq does not tell).
    A cursor below it is reset: the outlet socket cannot replay what is gone."""

    outlet_id = models.CharField(max_length=64, primary_key=True)
    pruned_through = models.BigIntegerField(default=0)
    pruned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "outlet log prune"

    def __str__(self):
        return f"{self.outlet_id}: pruned through {self.pruned_through}"


class OutletContact(models.Model):
    """When an outlet was last in contact with central (its relay's upload or downlink poll,
    or a pos or kitchen socket), and when last by a way that can bring it a web order (an
    answered downlink poll, or a kitchen socket), written at most every
    OUTLET_CONTACT_WRITE_INTERVAL. Made by the relay's first request only: an outlet without a
    row is not guarded."""

    outlet_id = models.CharField(max_length=64, primary_key=True)
    # The relay's first request: without a delivery contact the guard counts from here.
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField()
    # "upload", "downlink" or "socket": how the outlet last reached central.
    last_seen_via = models.CharField(max_length=10)
    # The last contact that could deliver an order: "downlink" (a poll central answered) or
    # "socket" (a kitchen's); null while there was none.
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_delivery_via = models.CharField(max_length=10, blank=True, default="")
    # The last downlink poll central answered: the relay, not a kitchen socket, is taking
    # central's orders to the outlet (an outlet socket then sends no open orders of its own).
    last_downlink_at = models.DateTimeField(null=True, blank=True)
    # The ``since`` of that poll: the relay holds every central event up to it. Written with
    # the poll's time (so up to OUTLET_CONTACT_WRITE_INTERVAL behind the relay's cursor, never
    # ahead of it); prune_outlet_log keeps every event from it on. Null: never known.
    downlink_since = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "outlet contact"

    def __str__(self):
        return f"{self.outlet_id}: {self.last_seen_at:%Y-%m-%d %H:%M:%S} ({self.last_seen_via})"
