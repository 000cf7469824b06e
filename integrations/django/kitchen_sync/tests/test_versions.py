"""Every write path gives master-data rows a new version; deletions leave tombstones."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from kitchen_sync.models import SyncCounter
from menu.models import Category, Product

pytestmark = pytest.mark.django_db


def versions(model=Product):
    return dict(model._base_manager.values_list("pk", "version"))


def test_each_save_takes_the_next_version_of_its_collection(category):
    a = Product.objects.create(name="Tea", price=Decimal("5000"), category=category)
    b = Product.objects.create(name="Coffee", price=Decimal("8000"), category=category)
    a.name = "Iced tea"
    a.save()
    assert versions() == {a.pk: 3, b.pk: 2}
    # Collections count separately: the category took categories' version 1.
    assert category.version == 1
    assert SyncCounter.objects.get(collection="products").value == 3


def test_save_with_update_fields_writes_the_new_version(category):
    product = Product.objects.create(name="Tea", price=Decimal("5000"), category=category)
    product.price = Decimal("6000")
    product.save(update_fields=["price"])
    stored = Product.objects.get(pk=product.pk)
    assert (stored.version, stored.price) == (2, Decimal("6000"))


def test_queryset_update_versions_every_row_it_changes(category):
    rows = [Product.objects.create(name=f"P{i}", price=1, category=category) for i in range(3)]
    changed = Product.objects.filter(pk__in=[rows[0].pk, rows[2].pk]).update(is_active=False)
    assert changed == 2
    assert versions() == {rows[0].pk: 4, rows[1].pk: 2, rows[2].pk: 5}
    assert list(Product.objects.alive().values_list("pk", flat=True)) == [rows[1].pk]


def test_instance_delete_leaves_a_tombstone_with_a_new_version(category):
    product = Product.objects.create(name="Tea", price=1, category=category)
    product.delete()
    stored = Product.objects.get(pk=product.pk)
    assert (stored.deleted, stored.version) == (True, 2)


def test_queryset_delete_leaves_tombstones(category):
    rows = [Product.objects.create(name=f"P{i}", price=1, category=category) for i in range(3)]
    count, _ = Product.objects.filter(pk__in=[r.pk for r in rows[:2]]).delete()
    assert count == 2
    assert Product.objects.count() == 3
    assert set(Product.objects.filter(deleted=True).values_list("version", flat=True)) == {4, 5}
    # Deleting again changes nothing and takes no version.
    assert Product.objects.filter(pk=rows[0].pk).delete()[0] == 0
    assert SyncCounter.objects.get(collection="products").value == 5


def test_admin_delete_selected_leaves_tombstones(client, category):
    rows = [Product.objects.create(name=f"P{i}", price=1, category=category) for i in range(2)]
    User.objects.create_superuser("admin", "a@example.com", "pw")
    client.login(username="admin", password="pw")
    response = client.post(
        "/admin/menu/product/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Product.objects.values_list("deleted", "version").order_by("pk")) == [
        (True, 3),
        (True, 4),
    ]


def test_bulk_create_versions_every_row(category):
    Product.objects.bulk_create(
        [Product(name=f"P{i}", price=1, category=category) for i in range(4)]
    )
    assert sorted(versions().values()) == [1, 2, 3, 4]


def test_bulk_update_versions_every_row(category):
    rows = [Product.objects.create(name=f"P{i}", price=1, category=category) for i in range(2)]
    for row in rows:
        row.price = 2
    Product.objects.bulk_update(rows, ["price"])
    assert sorted(versions().values()) == [3, 4]
    assert set(Product.objects.values_list("price", flat=True)) == {Decimal("2")}


def test_loaddata_versions_every_row(tmp_path):
    fixture = tmp_path / "menu.json"
    fixture.write_text(
        '[{"model": "menu.category", "pk": 7, "fields": {"name": "Soup", "version": 0,'
        ' "updated_at": "2025-01-01T00:00:00Z", "is_active": true, "deleted": false}},'
        ' {"model": "menu.category", "pk": 8, "fields": {"name": "Rice", "version": 99,'
        ' "updated_at": "2025-01-01T00:00:00Z", "is_active": true, "deleted": false}}]'
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert versions(Category) == {7: 1, 8: 2}


def test_hard_delete_removes_rows(category):
    product = Product.objects.create(name="Tea", price=1, category=category)
    Product.objects.filter(pk=product.pk).hard_delete()
    assert Product.objects.count() == 0
