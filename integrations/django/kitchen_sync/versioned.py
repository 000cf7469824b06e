"""Versioned master data: per-collection change counters, soft deletes on every path.

A version is taken by incrementing the collection's SyncCounter row inside the writer's
transaction. The UPDATE holds that row's lock until commit, so a second writer of the same
collection waits, and versions become visible to readers in increasing order: a reader
that sees version 102 also sees 101. (A sequence would not promise that: two transactions
can take 101 and 102 and commit in the other order, and a client that synced up to 102
would never see 101.) The price: writers of one collection commit one after another.
"""

from django.db import models, router, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

_CHUNK = 500


def take_versions(collection, count=1, using="default"):
    """Reserves ``count`` consecutive versions of ``collection`` and returns the first.

    Runs in (or opens) a transaction on ``using``; the counter row stays locked until that
    transaction ends, which is what orders the versions (see the module docstring).
    """
    from .models import SyncCounter

    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic(using=using):
        counters = SyncCounter.objects.using(using)
        # INSERT ... ON CONFLICT DO NOTHING: two first writers cannot both create the row.
        counters.bulk_create([SyncCounter(collection=collection, value=0)], ignore_conflicts=True)
        counters.filter(collection=collection).update(value=F("value") + count)
        last = counters.filter(collection=collection).values_list("value", flat=True).get()
    return last - count + 1


def collection_of(model):
    return model.sync_collection or model._meta.label_lower


class VersionedQuerySet(models.QuerySet):
    """Every write path gives the rows it touches new versions; ``delete()`` is soft."""

    def alive(self):
        """The rows a terminal would show: neither deleted nor inactive."""
        return self.filter(deleted=False, is_active=True)

    def since(self, version):
        """Changes after ``version``, tombstones included, oldest change first."""
        return self.filter(version__gt=version).order_by("version")

    def _locked_pks(self):
        return list(
            self.model._base_manager.using(self.db)
            .filter(pk__in=self.values("pk"))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _update_with_versions(self, pks, **changes):
        first = take_versions(collection_of(self.model), len(pks), using=self.db)
        base = self.model._base_manager.using(self.db)
        for start in range(0, len(pks), _CHUNK):
            chunk = pks[start : start + _CHUNK]
            version = Case(
                *(When(pk=pk, then=Value(first + start + i)) for i, pk in enumerate(chunk)),
                output_field=models.BigIntegerField(),
            )
            base.filter(pk__in=chunk).update(
                **{"updated_at": timezone.now(), **changes}, version=version
            )

    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            pks = self._locked_pks()
            if pks:
                self._update_with_versions(pks, **kwargs)
            return len(pks)

    update.alters_data = True

    def delete(self):
        """Soft delete: the rows stay as tombstones (``deleted=True``) with new versions, so
        a terminal syncing from an older version learns to drop them. The admin's "Delete
        selected" ends here too. ``hard_delete()`` removes rows for real."""
        with transaction.atomic(using=self.db):
            pks = self.filter(deleted=False)._locked_pks()
            if pks:
                self._update_with_versions(pks, deleted=True)
        return len(pks), {self.model._meta.label: len(pks)}

    delete.alters_data = True
    delete.queryset_only = True

    def hard_delete(self):
        return super().delete()

    hard_delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not objs:
            return objs
        with transaction.atomic(using=self.db):
            self._stamp_versions(objs)
            return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if not objs:
            return 0
        fields = list(dict.fromkeys([*fields, "version", "updated_at"]))
        with transaction.atomic(using=self.db):
            self._stamp_versions(objs)
            # A plain queryset: QuerySet.bulk_update() calls update(), which here would
            # version the rows a second time.
            plain = models.QuerySet(model=self.model, using=self.db)
            return plain.bulk_update(objs, fields, *args, **kwargs)

    def _stamp_versions(self, objs):
        """Gives the rows the collection's next versions, in order, and one ``updated_at``;
        called inside the transaction that writes them."""
        first = take_versions(collection_of(self.model), len(objs), using=self.db)
        now = timezone.now()
        for offset, obj in enumerate(objs):
            obj.version = first + offset
            obj.updated_at = now


class VersionedModel(models.Model):
    """Abstract base for synced master data (products, categories, promotions).

    Set ``sync_collection`` to the collection's name (default: the model's label); models
    sharing a name share one counter.
    """

    sync_collection = None

    version = models.BigIntegerField(default=0, db_index=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    is_active = models.BooleanField(default=True)
    deleted = models.BooleanField(default=False, editable=False)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # Without these, save(update_fields=["price"]) would take a version and never
            # write it: the change would never reach a terminal.
            kwargs["update_fields"] = list(dict.fromkeys([*update_fields, "version", "updated_at"]))
        with transaction.atomic(using=using):
            self.version = take_versions(collection_of(type(self)), using=using)
            super().save(*args, **kwargs)

    def delete(self, using=None, keep_parents=False):
        """Soft delete: the row stays as a tombstone with a new version."""
        self.deleted = True
        self.save(using=using, update_fields=["deleted"])
        return 1, {self._meta.label: 1}

    def hard_delete(self, using=None, keep_parents=False):
        return super().delete(using=using, keep_parents=keep_parents)
