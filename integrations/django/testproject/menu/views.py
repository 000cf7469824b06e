import json

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kitchen_sync.errors import KitchenSyncError, error_response
from kitchen_sync.events import build_envelope, publish_order_event
from kitchen_sync.order_status import outlet_change_applies
from kitchen_sync.outlet_log import outlet_had_central_changes
from kitchen_sync.payload_rules import path_within
from kitchen_sync.views import OutletSettingsView, RelayUploadView, VersionedListView

from .models import Category, Order, OrderGroup, Product, Promotion

# The demo's food court (examples/central/src/menu.ts has the same outlet and tenants).
OUTLET = {
    "id": 1,
    "name": "Food Court Malioboro (Django)",
    "tenants": [
        {"id": 1, "name": "Warung Nusantara"},
        {"id": 2, "name": "Bakso Pak Kumis"},
        {"id": 3, "name": "Kedai Kopi Senja"},
    ],
}


class MenuSyncView(VersionedListView):
    def serialize(self, row):
        data = super().serialize(row)
        extra = data.pop("extra", None) or {}
        return data if row.deleted else {**extra, **data}


class ProductSyncView(MenuSyncView):
    model = Product


class CategorySyncView(MenuSyncView):
    model = Category


class PromotionSyncView(MenuSyncView):
    model = Promotion


class DemoOutletSettingsView(OutletSettingsView):
    def get_outlet(self, request, outlet_id):
        if outlet_id != str(OUTLET["id"]):
            return None
        # The relay runs next to daphne: on the host the browser used to reach Django.
        relay_url = settings.KS_RELAY_URL or (
            f"http://{request.get_host().rsplit(':', 1)[0]}:{settings.KS_RELAY_PORT}"
        )
        return {**OUTLET, "relay_url": relay_url}

    def get_device(self, request, role, tenant):
        # The demo pages send no device id; one per role and tenant is enough for one screen
        # each. A real deployment keeps the default: every screen sends its own.
        return request.GET.get("device") or f"{role}-{tenant or 'all'}"


def tenants(request):
    return JsonResponse(OUTLET["tenants"], safe=False)


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
    except RecursionError:
        # '[' * 100000: nested deeper than the parser's stack. JSON 400, not Django's HTML 500.
        return error_response("invalid_payload", "bad order group: nested too deep")
    # Each order as the protocol has it, before any is booked: the outlet's relay would
    # refuse any other, and its kitchen would never see it.
    for index, order in enumerate(orders):
        try:
            build_envelope("new_order", order, event_id=order.get("event_id"))
        except KitchenSyncError as error:
            # Named within the body the kiosk sent, as the demo central names them.
            issues = [{**issue, "path": path_within(f"orders.{index}", issue["path"])}
                      for issue in error.details.get("issues", [])]
            return error_response(error.code, error.message, issues=issues)
    try:
        with transaction.atomic():
            group = OrderGroup.objects.create(outlet_id=str(body.get("outlet_id", "")))
            for order in orders:
                outlet = str(order.get("outlet_id", group.outlet_id))
                tenant = str(order.get("tenant_id", ""))
                # The relay's uplink may have brought this order first: one order per id.
                booked, created = Order.objects.get_or_create(
                    order_id=order["order_id"],
                    defaults={"group": group, "outlet_id": outlet, "tenant_id": tenant,
                              "payload": order},
                )
                if not created and (booked.outlet_id, booked.tenant_id) != (outlet, tenant):
                    # The id is another kitchen's order (ids are global, as at the relay):
                    # a 201 here would tell the guest this kitchen cooks what it never gets.
                    raise KitchenSyncError(
                        "order_id_taken",
                        f"order_id {order['order_id']} is another outlet's or tenant's order; "
                        "send this order under a new order_id",
                        order_id=order["order_id"],
                    )
                if created:
                    # Into the outlet log, then to the sockets with its seq: the relay's
                    # downlink brings it to the kitchens, and a socket that was away gets it
                    # on resume. Refused while the outlet is out of contact (outlet_offline).
                    publish_order_event("new_order", order, event_id=order.get("event_id"))
    except KitchenSyncError as error:
        # outlet_offline (503, with its reason) or order_id_taken (409, with the order_id):
        # nothing of the group was booked, the shop tells the guest or sends it anew.
        return error_response(error.code, error.message, **error.details)
    return JsonResponse(
        {"id": group.pk, "orders": [o["order_id"] for o in orders]}, status=201
    )


class OutletUploadView(RelayUploadView):
    """The relay's log reaches the demo's orders: new orders once, statuses forward only
    but for the outlet's recall (kitchen_sync.order_status.outlet_change_applies)."""

    def apply_event(self, row):
        data = row.envelope.get("data") or {}
        if not row.order_id or not isinstance(data, dict):
            return
        order = Order.objects.select_for_update().filter(order_id=row.order_id).first()
        if order is not None and order.outlet_id != row.outlet_id:
            # A relay changes its own outlet's orders only: another outlet's credential may not
            # cancel this one. Kept on the event as a conflict; the upload goes on.
            raise KitchenSyncError("forbidden", f"order {row.order_id} is another outlet's")
        if order is None:
            group = OrderGroup.objects.create(outlet_id=row.outlet_id)
            Order.objects.create(
                order_id=row.order_id,
                group=group,
                outlet_id=row.outlet_id,
                tenant_id=row.tenant_id or "",
                status=data.get("status", "pending"),
                status_reason=_reason(data),
                payload=data,
            )
        elif row.type == "new_order" or data.get("status") == order.status:
            return
        elif outlet_change_applies(
            order.status, data.get("status"), row.type, lambda: outlet_had_central_changes(row)
        ):
            order.move_to(data["status"], _reason(data))
        else:
            # The two sides changed the order apart: the first final status central saw stays.
            raise KitchenSyncError(
                "invalid_transition", f"order {row.order_id}: {order.status} -> {data.get('status')}"
            )


def _reason(data):
    # The outlet's reason for the status (order:update's "reason"), kept as the relay has it.
    reason = data.get("status_reason")
    return reason if isinstance(reason, str) else ""
