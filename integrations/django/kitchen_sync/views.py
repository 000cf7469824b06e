"""Master-data sync views and the outlet settings view, in the shapes the client reads."""

from urllib.parse import quote, urlencode

from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.views import View

from .errors import KitchenSyncError, error_response
from .events import to_wire
from .settings import ks_setting
from .tokens import ROLES, mint_relay_token, wire_id


def _non_negative_int(value, name):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or (isinstance(value, str) and not value.strip().isdigit()):
        raise KitchenSyncError("invalid_payload", f"{name} must be a non-negative integer")
    return number


class VersionedListView(View):
    """``GET ?since_version=N&limit=L`` → ``{items, current_version, has_more}``.

    Rows with ``version > N`` in version order, tombstones and inactive rows included (they
    are how a deletion or deactivation reaches the terminals). Foreign keys go out under
    their column name (``category_id``), which is what ``getProductsByCategory`` indexes.
    """

    model = None
    # Field names to send (default: every concrete field); id, version and is_active always go.
    fields = None

    def get_queryset(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model")
        return self.model._base_manager.all()

    def serialize(self, row):
        if row.deleted:
            return {"id": wire_id(row.pk), "version": row.version, "deleted": True}
        data = {}
        for field in row._meta.concrete_fields:
            if field.name == "deleted" or not self._sends(field):
                continue
            data["id" if field.primary_key else field.attname] = getattr(row, field.attname)
        data["id"] = wire_id(row.pk)
        return to_wire(data)

    def _sends(self, field):
        if self.fields is None or field.primary_key or field.name in ("version", "is_active"):
            return True
        return field.name in self.fields or field.attname in self.fields

    def get(self, request, *args, **kwargs):
        try:
            since = _non_negative_int(request.GET.get("since_version", "0") or "0", "since_version")
            limit = _non_negative_int(
                request.GET.get("limit", str(ks_setting("PAGE_DEFAULT"))), "limit"
            )
        except KitchenSyncError as error:
            return error_response(error.code, error.message)
        limit = min(max(limit, 1), ks_setting("PAGE_MAX"))
        # One query, so the page and has_more come from one snapshot.
        rows = list(self.get_queryset().filter(version__gt=since).order_by("version")[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        return JsonResponse(
            {
                "items": [self.serialize(row) for row in rows],
                "current_version": rows[-1].version if rows else since,
                "has_more": has_more,
            }
        )


class OutletSettingsView(View):
    """``GET /api/tenants/outlets/{id}/?device=D[&tenant=T][&role=R]`` → what the client's
    ``loadOutletSettings`` reads: ``name``, ``websocket_url`` (with this device's token),
    ``relay_url`` and ``relay_token``.

    Subclass it and implement ``get_outlet``; override ``authorize`` to decide who may get
    which role (by default any authenticated user, see SETTINGS_REQUIRE_AUTH).
    """

    def get_outlet(self, request, outlet_id):
        """``{"id", "name", "relay_url", "tenants": [{"id", "name"}, ...]}`` or None."""
        raise ImproperlyConfigured(f"{type(self).__name__} must implement get_outlet()")

    def authorize(self, request, outlet, role, tenants, device):
        """Raise KitchenSyncError("forbidden") to refuse a token."""

    def get_device(self, request, role, tenant):
        """The token's ``sub``. Default: the ``device`` query parameter, required: the relay
        tells kitchens apart by ``sub``, so every screen needs its own."""
        device = request.GET.get("device")
        if not device:
            raise KitchenSyncError("invalid_payload", "device is required (one id per screen)")
        return device

    def get_role(self, request, tenant):
        role = request.GET.get("role")
        if role:
            if role not in ROLES or role == "admin":
                raise KitchenSyncError("invalid_payload", "role must be pos, kitchen or monitor")
            return role
        return "kitchen" if tenant is not None else "pos"

    def websocket_base(self, request):
        configured = ks_setting("WEBSOCKET_BASE_URL")
        if configured:
            return configured.rstrip("/")
        return f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"

    def get(self, request, outlet_id):
        try:
            return self._settings(request, outlet_id)
        except KitchenSyncError as error:
            return error_response(error.code, error.message)

    def _settings(self, request, outlet_id):
        if ks_setting("SETTINGS_REQUIRE_AUTH") and not request.user.is_authenticated:
            raise KitchenSyncError("unauthorized", "log in to get outlet settings")
        outlet = self.get_outlet(request, outlet_id)
        if outlet is None:
            raise KitchenSyncError("not_found", "unknown outlet")
        tenant = request.GET.get("tenant") or None
        known = outlet.get("tenants")
        if tenant is not None and known is not None:
            if not any(str(t["id"]) == tenant for t in known):
                raise KitchenSyncError("not_found", "unknown tenant")
        role = self.get_role(request, tenant)
        device = self.get_device(request, role, tenant)
        tenants = [tenant] if tenant is not None else None
        self.authorize(request, outlet, role, tenants, device)
        token = mint_relay_token(device=device, role=role, outlet=outlet["id"], tenants=tenants)
        socket_query = urlencode({"token": token})
        websocket_url = (
            f"{self.websocket_base(request)}/ws/outlet/{quote(str(outlet['id']), safe='')}/"
            f"?{socket_query}"
        )
        response = JsonResponse(
            to_wire(
                {
                    "id": outlet["id"],
                    "name": outlet.get("name"),
                    "websocket_url": websocket_url,
                    "relay_url": outlet.get("relay_url"),
                    "relay_token": token,
                    "tenants": known or [],
                }
            )
        )
        # It carries a token: no shared cache may keep it.
        response["Cache-Control"] = "no-store"
        return response
