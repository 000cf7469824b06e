"""The list views answer exactly what the client's master-data service checks."""

import pytest

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
