from django.apps import AppConfig


class KitchenSyncConfig(AppConfig):
    name = "kitchen_sync"
    verbose_name = "kitchen-sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # loaddata saves with raw=True, past Model.save(): the signal gives those rows a version.
        from . import signals  # noqa: F401
        # Registers the system check on unknown KITCHEN_SYNC keys.
        from . import checks  # noqa: F401
