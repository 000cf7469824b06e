from django.contrib import admin

from .models import (
    IdempotentRequest,
    OutletContact,
    OutletEvent,
    OutletLogPrune,
    RelayUploadCursor,
    SyncCounter,
)
from .outlet_contact import offline_reason


@admin.register(SyncCounter)
class SyncCounterAdmin(admin.ModelAdmin):
    list_display = ("collection", "value")
    readonly_fields = ("collection", "value")


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(admin.ModelAdmin):
    list_display = ("key", "path", "status", "created_at")
    search_fields = ("key",)
    readonly_fields = ("key", "path", "body_hash", "status", "content_type", "created_at")
    exclude = ("body",)


@admin.register(OutletEvent)
class OutletEventAdmin(admin.ModelAdmin):
    """The outlet log; filter on ``conflict`` for the changes central refused to apply."""

    list_display = ("outlet_id", "seq", "type", "order_id", "source", "conflict", "created_at")
    list_filter = ("source", "type", ("conflict", admin.EmptyFieldListFilter))
    search_fields = ("order_id", "event_id")
    readonly_fields = [f.name for f in OutletEvent._meta.fields]


@admin.register(RelayUploadCursor)
class RelayUploadCursorAdmin(admin.ModelAdmin):
    """How far each relay's upload got, per outlet and epoch: two epochs of one outlet both
    recently updated are two relays with one credential (a cloned PC)."""

    list_display = ("outlet_id", "epoch", "last_seq", "updated_at")
    search_fields = ("outlet_id", "epoch")
    ordering = ("outlet_id", "-updated_at")
    readonly_fields = [f.name for f in RelayUploadCursor._meta.fields]


@admin.register(OutletLogPrune)
class OutletLogPruneAdmin(admin.ModelAdmin):
    """How far prune_outlet_log deleted each outlet's log: a screen resuming below is reset."""

    list_display = ("outlet_id", "pruned_through", "pruned_at")
    search_fields = ("outlet_id",)
    readonly_fields = [f.name for f in OutletLogPrune._meta.fields]


@admin.register(OutletContact)
class OutletContactAdmin(admin.ModelAdmin):
    """When each outlet last reached central, last by a way that can bring it an order (an
    answered downlink poll, a kitchen socket), and last by its relay's downlink; *offline* is
    what the order guard decides, *why* its reason. Deleting a row forgets the outlet: it is
    not guarded until it is seen again."""

    list_display = (
        "outlet_id",
        "last_seen_at",
        "last_seen_via",
        "last_delivery_at",
        "last_delivery_via",
        "last_downlink_at",
        "downlink_since",
        "first_seen_at",
        "offline",
        "why",
    )
    search_fields = ("outlet_id",)
    ordering = ("last_seen_at",)
    readonly_fields = [f.name for f in OutletContact._meta.fields]

    @admin.display(boolean=True, description="offline")
    def offline(self, contact):
        return offline_reason(contact) is not None

    @admin.display(description="why")
    def why(self, contact):
        return offline_reason(contact) or ""

    def has_add_permission(self, request):
        return False
