import json

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kitchen_sync.errors import error_response
from kitchen_sync.events import broadcast_order_event
from kitchen_sync.views import OutletSettingsView, VersionedListView

from .models import Category, Order, OrderGroup, Product, Promotion

OUTLET = {
    "id": 1,
    "name": "Food court (Django)",
    "tenants": [{"id": 1, "name": "Warung Bu Sri"}, {"id": 2, "name": "Bakso Pak Min"}],
}


class ProductSyncView(VersionedListView):
    model = Product


class CategorySyncView(VersionedListView):
    model = Category


class PromotionSyncView(VersionedListView):
    model = Promotion


class DemoOutletSettingsView(OutletSettingsView):
    def get_outlet(self, request, outlet_id):
        if outlet_id != str(OUTLET["id"]):
            return None
        return {**OUTLET, "relay_url": settings.KS_RELAY_URL}


@csrf_exempt
@require_POST
def create_order_group(request):
    """A kiosk checkout: one order per tenant. Idempotency comes from the middleware."""
    try:
        body = json.loads(request.body)
        orders = body["orders"]
        if not isinstance(orders, list) or not orders:
            raise ValueError("orders must be a non-empty list")
        for order in orders:
            if not isinstance(order, dict) or "order_id" not in order:
                raise ValueError("every order needs an order_id")
    except (ValueError, KeyError, TypeError) as error:
        return error_response("invalid_payload", f"bad order group: {error}")
    with transaction.atomic():
        group = OrderGroup.objects.create(outlet_id=str(body.get("outlet_id", "")))
        for order in orders:
            Order.objects.create(
                order_id=order["order_id"],
                group=group,
                outlet_id=str(order.get("outlet_id", group.outlet_id)),
                tenant_id=str(order.get("tenant_id", "")),
                payload=order,
            )
            broadcast_order_event("new_order", order, event_id=order.get("event_id"))
    return JsonResponse(
        {"id": group.pk, "orders": [o["order_id"] for o in orders]}, status=201
    )
