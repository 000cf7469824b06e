"""Master-data sync views and the outlet settings view, in the shapes the client reads."""

import json
import logging
import re
from urllib.parse import quote, urlencode

from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .errors import KitchenSyncError, error_response, method_not_allowed
from .events import to_wire
from .outlet_contact import record_contact
from .outlet_log import apply_relay_batch, events_for_relay
from .request_body import bounded_body
from .settings import ks_setting
from .tokens import (
    ROLES,
    TOKEN_IN_SUBPROTOCOL,
    mint_relay_token,
    mint_socket_token,
    verify_relay_credential,
    wire_id,
)

logger = logging.getLogger("kitchen_sync.views")


# ASCII digits only, the whole value ("5\n" and "٣" are not), at most 18 of them: a larger
# number does not fit the database's 64-bit integers (SQLite raises OverflowError).
_NUMBER = re.compile(r"[0-9]{1,18}")


def _non_negative_int(value, name):
    if not isinstance(value, str) or not _NUMBER.fullmatch(value):
        raise KitchenSyncError("invalid_payload", f"{name} must be a non-negative integer")
    return int(value)


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
        queryset = self.get_queryset()
        # The head is read BEFORE the rows: a change committed in between is then in the rows
        # (and the answer's version covers it), never skipped under a head read after them.
        head = self.head_version(queryset)
        # One query, so the page and has_more come from one snapshot.
        rows = list(queryset.filter(version__gt=since).order_by("version")[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        if has_more:
            current = rows[-1].version
        else:
            # Central's real head, also when it is below since_version (a database restored
            # from a backup): the client then downloads the collection again. Echoing
            # since_version would leave it at a version central no longer has, for good.
            current = max(head, rows[-1].version) if rows else head
        return JsonResponse(
            {
                "items": [self.serialize(row) for row in rows],
                "current_version": current,
                "has_more": has_more,
            }
        )

    def head_version(self, queryset):
        """The collection's change counter: the highest version any row of it was given."""
        from .models import SyncCounter
        from .versioned import collection_of

        value = (
            SyncCounter.objects.using(queryset.db)
            .filter(collection=collection_of(queryset.model))
            .values_list("value", flat=True)
            .first()
        )
        return value or 0


class OutletSettingsView(View):
    """``GET /api/tenants/outlets/{id}/?device=D[&tenant=T][&role=R]`` → what the client's
    ``loadOutletSettings`` reads: ``name``, ``websocket_url`` (central's socket, with this
    device's socket token, SOCKET_TOKEN_SECRET), ``relay_url`` and ``relay_token`` (the same
    claims for the relay, RELAY_SECRET).

    Subclass it and implement ``get_outlet``; override ``authorize`` to decide who may get
    which role (by default staff users only, see ``authorize``).
    """

    def get_outlet(self, request, outlet_id):
        """``{"id", "name", "relay_url", "tenants": [{"id", "name"}, ...]}`` or None."""
        raise ImproperlyConfigured(f"{type(self).__name__} must implement get_outlet()")

    def authorize(self, request, outlet, role, tenants, device):
        """Raise KitchenSyncError("forbidden") to refuse a token. Default: with
        SETTINGS_REQUIRE_AUTH, staff users only (``is_staff``), since a token reads the outlet's
        orders for RELAY_TOKEN_TTL; override it to let your own users (a tenant's kitchen
        staff, for its tenant only) get theirs. Without SETTINGS_REQUIRE_AUTH, anyone."""
        if ks_setting("SETTINGS_REQUIRE_AUTH") and not request.user.is_staff:
            raise KitchenSyncError(
                "forbidden",
                "only staff users get device tokens here (override OutletSettingsView.authorize)",
            )

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
                raise KitchenSyncError("invalid_payload", "role must be pos, kitchen, monitor or board")
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
        claims = {"device": device, "role": role, "outlet": outlet["id"], "tenants": tenants}
        token = mint_relay_token(**claims)
        # Central's socket takes its own token, one no outlet's relay can mint. A client of this
        # release sees token_in=subprotocol and offers the token as a subprotocol instead (out of
        # the browser's console and proxies' logs); older clients dial the URL as it is, so the
        # token stays in it until no screen runs one.
        socket_query = urlencode(
            {"token": mint_socket_token(**claims), TOKEN_IN_SUBPROTOCOL[0]: TOKEN_IN_SUBPROTOCOL[1]}
        )
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


def _no_constant(name):
    # NaN and Infinity are not JSON (Python's json reads them; PostgreSQL's jsonb does not).
    raise ValueError(f"{name} is not JSON")


@method_decorator(csrf_exempt, name="dispatch")
class RelayUploadView(View):
    """``POST {"outlet_id", "epoch", "events": [...]}`` with ``Authorization: Bearer <relay
    credential>`` → ``{"epoch", "last_seq", "applied", "duplicates", "conflicts"}``:
    ``applied`` events were new to central's log (each went to ``apply_event``), of which
    ``conflicts`` were refused by it; the other ``duplicates`` central had already.

    The relay sends its log in seq order; each event new to central enters the outlet log
    and goes to ``apply_event`` in the same transaction. An empty ``events`` asks where
    central stands for that epoch. Override ``apply_event`` to update the project's orders.
    """

    def apply_event(self, row):
        """Called once per new ``OutletEvent`` (``row.envelope`` is the relay's event)."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(self._allowed_methods())

    def post(self, request):
        try:
            return JsonResponse(self._upload(request))
        except KitchenSyncError as error:
            return error_response(error.code, error.message, **error.details)
        except Exception:
            # JSON, never Django's HTML page: the relay reads the code; the log has the trace.
            logger.exception("relay upload failed")
            return error_response("internal", "central could not take the upload (see its log)")

    def _upload(self, request):
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        claims = verify_relay_credential(token.strip())
        # Whatever the upload's fate, the outlet's relay reached central.
        record_contact(claims["outlet"], "upload")
        try:
            # Over DATA_UPLOAD_MAX_MEMORY_SIZE it is too_large, the one answer on which the relay
            # halves its batch (Django's own 400 page would have it resend forever).
            body = json.loads(bounded_body(request), parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise KitchenSyncError("invalid_payload", "the body must be JSON") from None
        if not isinstance(body, dict):
            raise KitchenSyncError("invalid_payload", "the body must be an object")
        outlet = body.get("outlet_id")
        if outlet is None or str(outlet) != str(claims["outlet"]):
            raise KitchenSyncError("forbidden", "the credential is for another outlet")
        events = body.get("events")
        if isinstance(events, list) and len(events) > ks_setting("UPLOAD_BATCH_MAX"):
            raise KitchenSyncError("too_large", "too many events in one upload")
        return apply_relay_batch(
            outlet,
            body.get("epoch"),
            events,
            self.apply_event,
            pruned_through=body.get("pruned_through"),
        )


# Bearer-authenticated like the upload, no cookie: CSRF's check would only answer a POST
# with an HTML 403 page instead of the JSON 405 below.
@method_decorator(csrf_exempt, name="dispatch")
class RelayDownlinkView(View):
    """``GET ?since=N&check=C&limit=L`` with a relay credential → ``{"events", "last_seq",
    "last_check", "has_more"}``: the outlet log's events made at central (never the relay's
    own, so nothing is echoed back), after central seq ``N``. The relay polls it and keeps
    ``N`` and ``C`` (the ``last_check`` that came with it; optional). ``N`` above the log's
    head, or ``C`` naming another event than the one at ``N`` (central's database was replaced
    or restored), answers no events, the head as ``last_seq`` and ``"reset": true``: the relay
    starts again from 0."""

    def get(self, request):
        try:
            return self._poll(request)
        except Exception:
            # As the log's read below: a failure before it (an unusable secret) is central's
            # `internal` too, never Django's HTML page the relay could only call http_500.
            logger.exception("relay downlink failed")
            return error_response("internal", "central could not answer the downlink (see its log)")

    def _poll(self, request):
        try:
            header = request.headers.get("Authorization", "")
            token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
            claims = verify_relay_credential(token.strip())
        except KitchenSyncError as error:
            return error_response(error.code, error.message)
        response, since = self._events(request, str(claims["outlet"]))
        # Any answer shows the outlet's relay reached central; only events it can take show
        # central's orders reach the outlet (the guard goes by that: outlet_contact). Its
        # cursor is what the relay holds: prune_outlet_log keeps the log from there.
        record_contact(
            claims["outlet"], "downlink", delivers=response.status_code == 200, downlink_since=since
        )
        return response

    def _events(self, request, outlet):
        """``(response, since)``: ``since`` only when the answer continues from it (not a
        reset: that cursor is of another log)."""
        try:
            since = _non_negative_int(request.GET.get("since", "0") or "0", "since")
            limit = _non_negative_int(request.GET.get("limit", "200") or "200", "limit")
            check = request.GET.get("check")
            check = None if check in (None, "") else _non_negative_int(check, "check")
        except KitchenSyncError as error:
            return error_response(error.code, error.message), None
        limit = min(max(limit, 1), ks_setting("UPLOAD_BATCH_MAX"))
        try:
            answer = events_for_relay(outlet, since, limit, check=check)
        except Exception:
            # JSON, never Django's HTML page (the relay reads the code); the log has the trace.
            logger.exception("relay downlink failed")
            failed = error_response(
                "internal", "central could not read the outlet log (see its log)"
            )
            return failed, None
        return JsonResponse(answer), None if answer.get("reset") else since

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(self._allowed_methods())
