from django.contrib import admin

from .models import IdempotentRequest, SyncCounter


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
