"""The settings view gives each device its own relay token (and socket token), in
loadOutletSettings' shape."""

import json
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.contrib.auth.models import User

from kitchen_sync.errors import KitchenSyncError
from kitchen_sync.tokens import (
    MAX_TOKEN_LIFETIME,
    mint_relay_credential,
    mint_relay_token,
    mint_socket_token,
    verify_relay_credential,
    verify_relay_token,
    verify_socket_token,
)
from kitchen_sync.views import OutletSettingsView

pytestmark = pytest.mark.django_db
SECRET = "test-relay-secret-at-least-32-bytes-long"


def fetch(client, query):
    return client.get(f"/api/tenants/outlets/1/?{query}")


def claims(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"])


def test_each_kitchen_gets_its_own_sub_and_its_tenant(client):
    grill = fetch(client, "tenant=1&device=kds-grill").json()
    wok = fetch(client, "tenant=1&device=kds-wok").json()
    assert claims(grill["relay_token"])["sub"] == "kds-grill"
    assert claims(wok["relay_token"])["sub"] == "kds-wok"
    assert claims(grill["relay_token"])["role"] == "kitchen"
    assert claims(grill["relay_token"])["tenants"] == [1]
    assert claims(grill["relay_token"])["outlet"] == 1


def test_a_pos_token_covers_every_tenant(client):
    token = claims(fetch(client, "device=pos-1").json()["relay_token"])
    assert token["role"] == "pos"
    assert "tenants" not in token
    assert token["exp"] - token["iat"] == 30 * 24 * 60 * 60


def test_the_answer_has_the_fields_the_client_reads(client):
    response = fetch(client, "device=pos-1")
    body = response.json()
    assert response["Cache-Control"] == "no-store"
    assert body["name"] == "Food Court Malioboro (Django)"
    assert body["relay_url"] == "http://127.0.0.1:3001"
    socket = urlparse(body["websocket_url"])
    assert (socket.scheme, socket.netloc, socket.path) == ("ws", "testserver", "/ws/outlet/1/")
    query = parse_qs(socket.query)
    [socket_token] = query["token"]
    # The client offers the token as a subprotocol when told so; older clients dial the URL,
    # token included, and the consumer still reads it there.
    assert query["token_in"] == ["subprotocol"]
    # The same claims, two secrets: central's socket takes only its own, the relay only its own.
    relay = verify_relay_token(body["relay_token"])
    assert verify_socket_token(socket_token) == relay
    with pytest.raises(KitchenSyncError) as refused:
        verify_socket_token(body["relay_token"])
    assert refused.value.code == "unauthorized"
    with pytest.raises(KitchenSyncError):
        verify_relay_token(socket_token)


def test_a_token_minted_with_the_relays_secret_does_not_open_centrals_socket():
    # What an outlet's relay PC can mint (kitchen-sync-relay token --secret-file): any outlet.
    forged = mint_relay_token(device="spy", role="pos", outlet=2)
    with pytest.raises(KitchenSyncError) as refused:
        verify_socket_token(forged)
    assert refused.value.code == "unauthorized"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("device=bad%20id", 400, "invalid_payload"),
        # "$" in the device pattern let a trailing newline through.
        ("device=kds%0A", 400, "invalid_payload"),
        ("device=x&role=admin", 400, "invalid_payload"),
        ("device=x&tenant=99", 404, "not_found"),
    ],
)
def test_bad_requests_get_protocol_codes(client, query, status, code):
    response = fetch(client, query)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_the_package_view_requires_a_device_id(rf):
    class OneOutlet(OutletSettingsView):
        def get_outlet(self, request, outlet_id):
            return {"id": 1, "name": "x", "relay_url": None, "tenants": []}

    response = OneOutlet.as_view()(rf.get("/api/tenants/outlets/1/?role=pos"), outlet_id="1")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "invalid_payload"


def test_unknown_outlet_is_not_found(client):
    response = client.get("/api/tenants/outlets/9/?device=x")
    assert response.json()["error"]["code"] == "not_found"


def test_auth_is_required_by_default(client, settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "SETTINGS_REQUIRE_AUTH": True}
    assert fetch(client, "device=x").json()["error"]["code"] == "unauthorized"
    User.objects.create_user("pos", password="pw", is_staff=True)
    client.login(username="pos", password="pw")
    assert fetch(client, "device=x").status_code == 200


def test_by_default_only_staff_users_get_tokens(client, settings):
    # Any logged-in user (a shopper of another tenant) got an outlet-wide 30-day pos token.
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "SETTINGS_REQUIRE_AUTH": True}
    User.objects.create_user("shopper", password="pw")
    client.login(username="shopper", password="pw")
    for query in ("device=x", "device=y&tenant=2&role=pos"):
        response = fetch(client, query)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert "authorize" in response.json()["error"]["message"]


def test_tokens_over_the_relays_limits_are_refused_at_mint():
    with pytest.raises(KitchenSyncError) as too_long:
        mint_relay_token(device="kds-1", role="kitchen", outlet=1, tenants=[f"stall-{i}" for i in range(300)])
    assert too_long.value.code == "token_too_long"
    assert too_long.value.details["token_length"] > 4096
    with pytest.raises(KitchenSyncError) as too_long:
        mint_socket_token(device="kds-1", role="kitchen", outlet=1, tenants=[f"stall-{i}" for i in range(300)])
    assert too_long.value.code == "token_too_long"
    assert mint_relay_token(device="kds-1", role="kitchen", outlet=1, tenants=list(range(100)))
    for mint in (
        lambda ttl: mint_relay_token(device="kds-1", role="kitchen", outlet=1, ttl=ttl),
        lambda ttl: mint_relay_credential(outlet=1, ttl=ttl),
    ):
        assert mint(MAX_TOKEN_LIFETIME)
        with pytest.raises(KitchenSyncError) as too_long_lived:
            mint(MAX_TOKEN_LIFETIME + 1)
        assert too_long_lived.value.code == "invalid_payload"


def test_tokens_that_live_over_400_days_are_refused(settings):
    # What the relay refuses too (tokenExpiry.ts): exp 100 years out was accepted here.
    now = int(time.time())
    for secret, verify in (
        (settings.KITCHEN_SYNC["SOCKET_TOKEN_SECRET"], verify_socket_token),
        (SECRET, verify_relay_token),
        (settings.KITCHEN_SYNC["RELAY_CREDENTIAL_SECRET"], verify_relay_credential),
    ):
        base = {"sub": "x", "role": "relay" if verify is verify_relay_credential else "pos", "outlet": 1}
        ok = jwt.encode({**base, "iat": now, "exp": now + MAX_TOKEN_LIFETIME - 60}, secret, algorithm="HS256")
        assert verify(ok)["outlet"] == 1
        for times in (
            {"iat": now, "exp": now + 100 * 365 * 86400},
            {"exp": now + MAX_TOKEN_LIFETIME + 60},
            {"iat": now + 10, "exp": now + 10},
        ):
            forever = jwt.encode({**base, **times}, secret, algorithm="HS256")
            with pytest.raises(KitchenSyncError) as refused:
                verify(forever)
            assert refused.value.code == "unauthorized"


def test_verify_refuses_forged_and_expired_tokens():
    good = mint_relay_token(device="kds-1", role="kitchen", outlet=1, tenants=[3])
    assert verify_relay_token(good)["tenants"] == [3]
    forged = jwt.encode({"sub": "x", "role": "admin", "outlet": 1, "exp": 2**40}, "other", "HS256")
    expired = mint_relay_token(device="kds-1", role="kitchen", outlet=1, now=1_000_000, ttl=60)
    for token in (forged, expired, "", "a.b.c"):
        with pytest.raises(KitchenSyncError) as caught:
            verify_relay_token(token)
        assert caught.value.code == "unauthorized"


def test_string_ids_stay_strings_and_numeric_ones_become_ints():
    token = mint_relay_token(device="pos-1", role="pos", outlet="mall-a", tenants=["7", "x"])
    assert (claims(token)["outlet"], claims(token)["tenants"]) == ("mall-a", [7, "x"])


def test_ids_with_leading_zeros_stay_strings():
    token = mint_relay_token(device="pos-1", role="pos", outlet="007", tenants=["0"])
    assert (claims(token)["outlet"], claims(token)["tenants"]) == ("007", [0])


@pytest.mark.parametrize("text", ["x" * 64 + "\n", "\n" * 65])
def test_an_id_of_65_characters_with_a_trailing_newline_is_refused(text):
    from kitchen_sync.tokens import wire_id

    with pytest.raises(KitchenSyncError):
        wire_id(text)


def test_trailing_newlines_pass_no_id_pattern():
    from kitchen_sync.consumers import parse_cursor
    from kitchen_sync.events import outlet_group
    from kitchen_sync.routing import websocket_urlpatterns
    from kitchen_sync.tokens import mint_relay_credential

    with pytest.raises(KitchenSyncError):
        parse_cursor("5\n")
    with pytest.raises(KitchenSyncError):
        mint_relay_credential(outlet=1, relay="relay\n")
    assert outlet_group("1\n") != "outlet_1\n"
    assert websocket_urlpatterns[0].pattern.match("ws/outlet/1/\n") is None
    assert websocket_urlpatterns[0].pattern.match("ws/outlet/1/") is not None
