from django.db import models

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
