"""The list views answer exactly what the client's master-data service checks."""

import pytest
from django.db.models import F

from kitchen_sync.models import SyncCounter
from menu.models import Product

pytestmark = pytest.mark.django_db


def page(client, since, limit=None):
    query = f"?since_version={since}" + (f"&limit={limit}" if limit else "")
    response = client.get(f"/api/products/{query}")
    assert response.status_code == 200
    return response.json()


def test_pages_in_version_order_until_has_more_is_false(client, category):
    Product.objects.bulk_create(
        [Product(name=f"P{i}", price=i, category=category) for i in range(5)]
    )
    first = page(client, 0, limit=2)
    assert [r["version"] for r in first["items"]] == [1, 2]
    assert (first["current_version"], first["has_more"]) == (2, True)
    second = page(client, 2, limit=2)
    assert [r["version"] for r in second["items"]] == [3, 4]
    last = page(client, 4, limit=2)
    assert ([r["version"] for r in last["items"]], last["has_more"]) == ([5], False)
    assert last["current_version"] == 5
    empty = page(client, 5)
    assert empty == {"items": [], "current_version": 5, "has_more": False}


def test_rows_carry_category_id_and_wire_values(client, category):
    Product.objects.create(name="Tea", price="12.50", category=category)
    row = page(client, 0)["items"][0]
    assert row["category_id"] == category.pk
    assert "category" not in row
    assert row["price"] == "12.50"
    assert row["is_active"] is True
    assert "deleted" not in row
    assert row["updated_at"].endswith("Z")


def test_deleted_and_inactive_rows_are_served_as_tombstones(client, category):
    kept, gone, off = (
        Product.objects.create(name=n, price=1, category=category) for n in ("a", "b", "c")
    )
    Product.objects.filter(pk=gone.pk).delete()
    Product.objects.filter(pk=off.pk).update(is_active=False)
    items = page(client, 3)["items"]
    assert items[0] == {"id": gone.pk, "version": 4, "deleted": True}
    assert (items[1]["id"], items[1]["is_active"], items[1]["version"]) == (off.pk, False, 5)


@pytest.mark.parametrize("query", ["since_version=-1", "since_version=abc", "limit=x", "limit=-3"])
def test_bad_query_is_invalid_payload(client, query):
    response = client.get(f"/api/products/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"


def test_limit_is_capped(client, category, settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "PAGE_MAX": 3}
    Product.objects.bulk_create([Product(name=f"P{i}", price=i, category=category) for i in range(5)])
    body = page(client, 0, limit=1000)
    assert (len(body["items"]), body["has_more"], body["current_version"]) == (3, True, 3)


def test_a_central_behind_the_kiosk_reports_its_real_head(client, category):
    """Restored from a backup: the kiosk synced to version 8 asks after it; central is at 5
    and says so, and the client downloads again instead of waiting at 8 for good."""
    Product.objects.bulk_create(
        [Product(name=f"P{i}", price=i, category=category) for i in range(5)]
    )
    assert page(client, 8) == {"items": [], "current_version": 5, "has_more": False}
    # The next change after the restore takes 6: still below 8, still reported.
    Product.objects.filter(name="P4").update(price=99)
    assert page(client, 8)["current_version"] == 6


def test_a_last_page_ends_at_the_head_even_when_its_rows_are_out_of_scope(client, category):
    """A subclass whose get_queryset() leaves out rows (or hard-deleted rows): the client
    still moves to the collection's head, not to the last row it happened to see."""
    Product.objects.bulk_create(
        [Product(name=f"P{i}", price=i, category=category) for i in range(5)]
    )
    Product.objects.filter(name="P4").hard_delete()
    body = page(client, 3)
    assert ([r["version"] for r in body["items"]], body["current_version"]) == ([4], 5)


def test_after_a_restore_a_counter_jump_and_new_versions_reach_every_terminal(client, category):
    """docs/django.md's advice after a restore: a terminal that synced past the restored head
    (here 8; central is back at 5 and already changed again up to 10) gets every row once central
    moved its counter past anything served and gave every row a new version."""
    for i in range(5):
        Product.objects.create(name=f"P{i}", price=i, category=category)
    for name in ("P0", "P1", "P2", "P3"):  # after the restore, before the terminals asked
        Product.objects.filter(name=name).update(price=50)
    Product.objects.filter(name="P4").delete()
    assert page(client, 8)["items"] != []  # head 10 > 8: only the newest changes

    SyncCounter.objects.filter(collection="products").update(value=F("value") + 1_000_000)
    Product.objects.all().update()

    body = page(client, 8)
    assert len(body["items"]) == 5
    assert {r["id"]: r.get("deleted", False) for r in body["items"]}[
        Product.objects.get(name="P4").pk
    ] is True
    assert all(r["version"] > 1_000_000 for r in body["items"])
