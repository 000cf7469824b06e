from django.db.models.signals import pre_save
from django.dispatch import receiver

from .versioned import VersionedModel, collection_of, take_versions


@receiver(pre_save, dispatch_uid="kitchen_sync.version_raw_saves")
def version_raw_saves(sender, instance, raw, using, **kwargs):
    """loaddata saves with raw=True and never calls save(): give each row a fresh version
    (a fixture's own version comes from another database's counter and could collide)."""
    if raw and isinstance(instance, VersionedModel):
        instance.version = take_versions(collection_of(sender), using=using)
