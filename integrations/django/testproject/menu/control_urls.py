"""Endpoints the JS cross-language tests and the demo drive (only with KS_TEST_CONTROL=1)."""

import json
from decimal import Decimal

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kitchen_sync.errors import KitchenSyncError, error_response
from kitchen_sync.events import broadcast_order_event, publish_order_event
from kitchen_sync.models import IdempotentRequest
from kitchen_sync.order_status import advances
from kitchen_sync.tokens import mint_relay_credential

from .models import Category, Order, Product


def _body(request):
    return json.loads(request.body or b"{}")


@csrf_exempt
def seed_products(request):
    """Categories and products through bulk_create (which must version them)."""
    body = _body(request)
    # Categories one by one: Django 3.2's bulk_create returns no primary keys on SQLite.
    categories = [
        Category.objects.create(name=f"Category {i}") for i in range(body.get("categories", 10))
    ]
    products = Product.objects.bulk_create(
        [
            Product(
                name=f"Product {i}",
                price=Decimal(10000 + i),
                category=categories[i % len(categories)],
            )
            for i in range(body["count"])
        ]
    )
    return JsonResponse({"products": len(products), "categories": len(categories)})


@csrf_exempt
def change_products(request):
    """Price changes through save(update_fields), deletions through QuerySet.delete()."""
    body = _body(request)
    for product in Product.objects.filter(pk__in=body.get("reprice", [])):
        product.price = product.price + 1
        product.save(update_fields=["price"])
    Product.objects.filter(pk__in=body.get("deactivate", [])).update(is_active=False)
    deleted, _ = Product.objects.filter(pk__in=body.get("delete", [])).delete()
    return JsonResponse({"deleted": deleted})


def live_products(request):
    rows = Product.objects.alive().order_by("pk").values("pk", "price", "category_id")
    return JsonResponse(
        {"items": [{"id": r["pk"], "price": str(r["price"]), "category_id": r["category_id"]} for r in rows]}
    )


@csrf_exempt
def broadcast(request):
    """An event sent without the outlet log (no seq): what a project's older code may still do."""
    body = _body(request)
    try:
        envelope = broadcast_order_event(body.get("event", "new_order"), body["order"])
    except KitchenSyncError as error:
        return error_response(error.code, error.message, **error.details)
    return JsonResponse(envelope)


@csrf_exempt
def central_status(request):
    """A status change made at central (a call centre cancels): recorded in the outlet log,
    so the relay's downlink brings it to the kitchens."""
    body = _body(request)
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(order_id=body["order_id"])
            if not advances(order.status, body["status"]):
                return JsonResponse({"error": {"code": "invalid_transition"}}, status=409)
            order.move_to(body["status"])
            event_type = {"cancelled": "order_cancelled", "completed": "order_completed"}.get(
                order.status, "order_updated"
            )
            state = {**order.payload, "status": order.status}
            # A refusal undoes the status change: central and the outlet stay in step.
            envelope, seq, _ = publish_order_event(event_type, state)
    except KitchenSyncError as error:
        return error_response(error.code, error.message, **error.details)
    return JsonResponse({**envelope, "seq": seq})


def orders(request):
    return JsonResponse({"order_ids": [str(o) for o in Order.objects.values_list("order_id", flat=True)]})


def checkouts(request):
    """Kiosk checkouts central answered 201 (once per Idempotency-Key, however often sent)."""
    booked = IdempotentRequest.objects.filter(path__endswith="/order-groups/", status=201)
    return JsonResponse({"count": booked.count()})


def order_statuses(request):
    rows = Order.objects.values_list("order_id", "status")
    return JsonResponse({"orders": [[str(order_id), status] for order_id, status in rows]})


def database(request):
    """Which database central runs on: the JS tests check they got the one they asked for."""
    return JsonResponse({"vendor": connection.vendor})


@csrf_exempt
def outlet_log(request):
    """Takes central's outlet log table away, or puts it back (``{"readable": bool}``): the
    downlink view then fails as on a broken database, for what the relay makes of its 500."""
    from kitchen_sync.models import OutletEvent

    table = OutletEvent._meta.db_table
    hidden = f"{table}_hidden"
    old, new = (hidden, table) if _body(request)["readable"] else (table, hidden)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {quote(old)} RENAME TO {quote(new)}")
    return JsonResponse({"table": new})


@csrf_exempt
def relay_credential(request):
    body = _body(request)
    return JsonResponse({"token": mint_relay_credential(outlet=body.get("outlet", 1), ttl=body.get("ttl"))})


urlpatterns = [
    path("seed-products/", seed_products),
    path("change-products/", change_products),
    path("live-products/", live_products),
    path("broadcast/", broadcast),
    path("orders/", orders),
    path("central-status/", central_status),
    path("order-statuses/", order_statuses),
    path("checkouts/", checkouts),
    path("relay-credential/", relay_credential),
    path("outlet-log/", outlet_log),
    path("database/", database),
]
