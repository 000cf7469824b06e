"""The upload endpoint: a relay's log reaches central once, whatever is repeated."""

import json
import uuid

import pytest

from kitchen_sync.models import OutletEvent, RelayUploadCursor
from kitchen_sync.outlet_log import event_check
from kitchen_sync.tokens import mint_relay_credential, mint_relay_token
from menu.models import Order

from .orders import protocol_order

pytestmark = pytest.mark.django_db

URL = "/api/kitchen-sync/relay/upload/"


def relay_log(orders=2, outlet=1):
    """A relay's log: per order a new_order then preparing and completed, seqs from 1."""
    events, seq = [], 0
    for _ in range(orders):
        order_id = str(uuid.uuid4())
        for event_type, status in (
            ("new_order", "pending"),
            ("order_updated", "preparing"),
            ("order_completed", "completed"),
        ):
            seq += 1
            events.append(
                {
                    "seq": seq,
                    "event_id": str(uuid.uuid4()),
                    "type": event_type,
                    "outlet_id": outlet,
                    "tenant_id": 1,
                    "order_id": order_id,
                    "data": {"order_id": order_id, "outlet_id": outlet, "tenant_id": 1, "status": status},
                    "ts": "2026-12-04T10:00:00.000Z",
                }
            )
    return events


def upload(client, events, epoch="epoch-a", outlet=1, token=None):
    token = token if token is not None else mint_relay_credential(outlet=outlet)
    return client.post(
        URL,
        data=json.dumps({"outlet_id": outlet, "epoch": epoch, "events": events}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def central_ids():
    """The outlet log's event ids in seq order."""
    return list(OutletEvent.objects.order_by("seq").values_list("event_id", flat=True))


def restore_to(seq):
    """Central's database as a backup taken when the outlet log ended at ``seq`` has it."""
    from kitchen_sync.models import SyncCounter
    from kitchen_sync.outlet_log import log_collection

    OutletEvent.objects.filter(seq__gt=seq).delete()
    kept = OutletEvent.objects.all()
    # The log keeps ids as text, the orders as a UUID column: compared in Python, as PostgreSQL
    # has no uuid = varchar.
    logged = {str(i) for i in kept.filter(type="new_order").values_list("order_id", flat=True)}
    Order.objects.exclude(order_id__in=list(logged)).delete()
    relay_seqs = kept.filter(source="relay").exclude(relay_seq=None).values_list("relay_seq", flat=True)
    RelayUploadCursor.objects.update(last_seq=max(relay_seqs, default=0))
    SyncCounter.objects.filter(collection=log_collection("1")).update(value=seq)


def statuses():
    return sorted(Order.objects.values_list("status", flat=True))


def test_a_batch_is_logged_in_order_and_applied(client):
    events = relay_log(2)
    response = upload(client, events)
    assert response.status_code == 200
    assert response.json() == {
        "epoch": "epoch-a",
        "last_seq": 6,
        "applied": 6,
        "duplicates": 0,
        "conflicts": 0,
    }
    assert list(OutletEvent.objects.order_by("seq").values_list("seq", "relay_seq")) == [
        (i, i) for i in range(1, 7)
    ]
    assert statuses() == ["completed", "completed"]
    assert RelayUploadCursor.objects.get(outlet_id="1", epoch="epoch-a").last_seq == 6


def test_a_repeated_batch_changes_nothing(client):
    events = relay_log(2)
    upload(client, events[:4])
    again = upload(client, events)
    assert again.json()["applied"] == 2 and again.json()["duplicates"] == 4
    assert OutletEvent.objects.count() == 6
    assert Order.objects.count() == 2


def test_a_new_epoch_replaying_the_same_orders_books_nothing_twice(client):
    events = relay_log(3)
    upload(client, events, epoch="epoch-a")
    # A relay restarted on an empty data dir: the POS outboxes re-publish the same orders
    # (same order ids) under new event ids, at new seqs.
    replay = [
        {**e, "event_id": str(uuid.uuid4()), "seq": i + 1}
        for i, e in enumerate(x for x in events if x["type"] == "new_order")
    ]
    answer = upload(client, replay, epoch="epoch-b").json()
    assert (answer["epoch"], answer["last_seq"], answer["applied"]) == ("epoch-b", 3, 0)
    assert Order.objects.count() == 3
    assert statuses() == ["completed"] * 3


def test_a_cancel_at_central_wins_over_a_completion_made_offline_and_is_surfaced(client):
    events = relay_log(1)
    order_id = events[0]["order_id"]
    upload(client, events[:1])
    # Central cancelled the order while the outlet, cut off, prepared and completed it.
    Order.objects.filter(order_id=order_id).update(status="cancelled")
    answer = upload(client, events[1:]).json()
    assert (answer["last_seq"], answer["applied"], answer["conflicts"]) == (3, 2, 2)
    assert statuses() == ["cancelled"]
    refused = OutletEvent.objects.exclude(conflict="").order_by("seq")
    assert [row.relay_seq for row in refused] == [2, 3]
    assert "cancelled -> completed" in refused[1].conflict


def test_a_cancel_made_offline_does_not_undo_a_completion_at_central(client):
    events = relay_log(1)
    order_id = events[0]["order_id"]
    cancel = {**events[1], "type": "order_cancelled", "data": {**events[1]["data"], "status": "cancelled"}}
    upload(client, events[:1])
    Order.objects.filter(order_id=order_id).update(status="completed")
    assert upload(client, [cancel]).json()["conflicts"] == 1
    assert statuses() == ["completed"]


def test_an_empty_batch_answers_the_cursor(client):
    upload(client, relay_log(1))
    assert upload(client, [], epoch="epoch-a").json()["last_seq"] == 3
    assert upload(client, [], epoch="epoch-new").json()["last_seq"] == 0


@pytest.mark.parametrize(
    "token",
    ["", "not-a-jwt", mint_relay_token.__name__],
)
def test_only_a_relay_credential_may_upload(client, token):
    if token == mint_relay_token.__name__:
        # A device token signed with the same secret is not a relay credential.
        token = mint_relay_token(device="pos-1", role="admin", outlet=1)
    response = upload(client, relay_log(1), token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert OutletEvent.objects.count() == 0


def test_a_credential_of_another_outlet_is_forbidden(client):
    response = upload(client, relay_log(1), token=mint_relay_credential(outlet=2))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_with_a_credential_secret_a_relays_own_secret_mints_no_credential(client, settings):
    # Every outlet's relay holds RELAY_SECRET: a credential it signs for another outlet must
    # not upload once central signs credentials with a secret of its own.
    shared = {k: v for k, v in settings.KITCHEN_SYNC.items() if k != "RELAY_CREDENTIAL_SECRET"}
    settings.KITCHEN_SYNC = shared
    forged = mint_relay_credential(outlet=1)  # signed with RELAY_SECRET, as a relay could
    settings.KITCHEN_SYNC = {**shared, "RELAY_CREDENTIAL_SECRET": "central-only"}
    response = upload(client, relay_log(1), token=forged)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert OutletEvent.objects.count() == 0
    assert upload(client, relay_log(1)).status_code == 200


def test_an_event_of_another_outlet_refuses_the_whole_batch(client):
    events = relay_log(1)
    events[2]["outlet_id"] = 2
    response = upload(client, events)
    assert response.json()["error"]["code"] == "forbidden"
    assert OutletEvent.objects.count() == 0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e[1].update(seq=1),
        lambda e: e[0].pop("seq"),
        lambda e: e[0].pop("event_id"),
        lambda e: e[0].update(order_id="x" * 65),
    ],
)
def test_malformed_batches_are_invalid_payload(client, mutate):
    events = relay_log(1)
    mutate(events)
    response = upload(client, events)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"
    assert Order.objects.count() == 0


def test_too_many_events_is_too_large(client, settings):
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "UPLOAD_BATCH_MAX": 2}
    response = upload(client, relay_log(1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_the_service_worker_path_and_the_uplink_book_one_order(client, in_memory_layer):
    events = relay_log(1)
    order_id = events[0]["order_id"]
    checkout = client.post(
        "/api/public/order-groups/",
        data=json.dumps({"outlet_id": 1, "orders": [protocol_order(order_id=order_id)]}),
        content_type="application/json",
    )
    assert checkout.status_code == 201
    upload(client, events)
    again = client.post(
        "/api/public/order-groups/",
        data=json.dumps({"outlet_id": 1, "orders": [protocol_order(order_id=order_id)]}),
        content_type="application/json",
    )
    assert again.status_code == 201
    assert Order.objects.count() == 1
    assert statuses() == ["completed"]


def downlink(client, since=0, limit=None, token=None, check=None):
    token = token if token is not None else mint_relay_credential(outlet=1)
    query = f"?since={since}" + (f"&limit={limit}" if limit else "")
    query += f"&check={check}" if check is not None else ""
    return client.get(
        f"/api/kitchen-sync/relay/downlink/{query}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_the_downlink_sends_central_orders_and_never_the_relays_own(client, in_memory_layer):
    upload(client, relay_log(1))
    made_at_central = [str(uuid.uuid4()) for _ in range(3)]
    for order_id in made_at_central:
        client.post(
            "/api/public/order-groups/",
            data=json.dumps({"outlet_id": 1, "orders": [protocol_order(order_id=order_id)]}),
            content_type="application/json",
        )
    first = downlink(client, 0, limit=2).json()
    assert [e["order_id"] for e in first["events"]] == made_at_central[:2]
    assert (first["last_seq"], first["has_more"]) == (5, True)
    rest = downlink(client, first["last_seq"]).json()
    assert [e["order_id"] for e in rest["events"]] == made_at_central[2:]
    assert (rest["events"][0]["seq"], rest["last_seq"], rest["has_more"]) == (6, 6, False)
    assert downlink(client, 6).json() == {
        "events": [], "last_seq": 6, "has_more": False, "last_check": event_check(central_ids()[-1])
    }


def test_the_downlink_needs_a_relay_credential(client):
    response = downlink(client, token=mint_relay_token(device="kds", role="kitchen", outlet=1))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_body_over_djangos_upload_limit_is_too_large_in_json(client, settings):
    # The relay halves its batch only on 413 too_large; Django's own answer is a 400 page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = upload(client, relay_log(3))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert OutletEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        # Each used to fail at the insert (on PostgreSQL, or on both) on every retry: a 500
        # that blocked the outlet's uplink for good. Or, for "bogus", was logged as an order.
        (lambda e: e.update(seq=2**63), "events.2.seq"),
        (lambda e: e.update(seq=2**53), "events.2.seq"),
        (lambda e: e.update(type="order_" + "x" * 40), "events.2.type"),
        (lambda e: e.update(type="bogus"), "events.2.type"),
        (lambda e: e.update(event_id="a\u0000b"), "events.2.event_id"),
        (lambda e: e.update(event_id="evt-1"), "events.2.event_id"),
        (lambda e: e["data"].update(note="a\u0000b"), "events.2.data.note"),
        (lambda e: e["data"].update({"k\u0000": 1}), "events.2.data.k\u0000"),
        (lambda e: e.update(tenant_id="a\u0000"), "events.2.tenant_id"),
        (lambda e: e["data"].update(note="\ud800"), "events.2.data.note"),
        (lambda e: e.update(tenant_id=[1]), "events.2.tenant_id"),
    ],
)
def test_an_event_the_database_cannot_hold_refuses_the_batch_with_its_field(client, mutate, path):
    events = relay_log(1)
    mutate(events[2])
    response = upload(client, events)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload"
    assert path in [issue["path"] for issue in error["issues"]], error
    assert OutletEvent.objects.count() == 0 and Order.objects.count() == 0


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        # The project's order tables key by UUID: apply_event failed with a 500 on every retry.
        (lambda e: e.update(order_id="o-1"), "events.2.order_id"),
        (lambda e: e.update(order_id=""), "events.2.order_id"),
        # The protocol refuses these keys anywhere; no relay logs one.
        (lambda e: e["data"].update({"__proto__": {"admin": True}}), "events.2.data.__proto__"),
        (lambda e: e["data"].update(extra=[{"constructor": 1}]), "events.2.data.extra.0.constructor"),
    ],
)
def test_an_event_no_relay_logs_refuses_the_batch_with_its_field(client, mutate, path):
    events = relay_log(1)
    mutate(events[2])
    response = upload(client, events)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload"
    assert path in [issue["path"] for issue in error["issues"]], error
    assert OutletEvent.objects.count() == 0 and Order.objects.count() == 0


def test_a_relays_order_is_not_judged_again_by_todays_order_rules(client):
    # The relay checked each order at publish, by the rules of its version; refusing one now
    # (an older relay's order nested one level deeper, say) would stop the uplink for good.
    events = relay_log(1)
    deep = {}
    for _ in range(20):
        deep = {"a": deep}
    events[0]["data"].update(extra=deep, total_amount=50000)
    response = upload(client, events)
    assert response.status_code == 200, response.json()
    assert response.json()["applied"] == 3


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_jsonb_cannot_hold_are_invalid_payload(client, number):
    events = relay_log(1)
    body = json.dumps({"outlet_id": 1, "epoch": "e", "events": events})
    body = body.replace('"status": "completed"', f'"status": "completed", "total": {number}')
    response = client.post(
        URL, data=body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {mint_relay_credential(outlet=1)}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"
    assert OutletEvent.objects.count() == 0


def test_an_epoch_with_a_nul_is_invalid_payload(client):
    response = upload(client, relay_log(1), epoch="a\u0000")
    assert response.status_code == 400
    assert response.json()["error"]["issues"][0]["path"] == "epoch"


def test_any_other_failure_is_a_json_500(rf):
    from kitchen_sync.views import RelayUploadView

    class Failing(RelayUploadView):
        def apply_event(self, row):
            raise RuntimeError("the project's code failed")

    request = rf.post(
        URL,
        data=json.dumps({"outlet_id": 1, "epoch": "e", "events": relay_log(1)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {mint_relay_credential(outlet=1)}",
    )
    response = Failing.as_view()(request)
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "internal"
    assert OutletEvent.objects.count() == 0


def test_a_cursor_above_centrals_head_is_answered_with_reset(client, in_memory_layer):
    # Central's database was replaced: its head is below the relay's cursor, and without
    # reset the relay would miss every central event until central's seq passed the cursor.
    upload(client, relay_log(1))
    client.post(
        "/api/public/order-groups/",
        data=json.dumps({"outlet_id": 1, "orders": [protocol_order()]}),
        content_type="application/json",
    )
    assert downlink(client, 99999).json() == {
        "events": [], "last_seq": 4, "has_more": False, "reset": True
    }
    again = downlink(client, 0).json()
    assert [e["seq"] for e in again["events"]] == [4] and "reset" not in again
    assert downlink(client, 4).json() == {
        "events": [], "last_seq": 4, "has_more": False, "last_check": event_check(central_ids()[-1])
    }


def test_any_cursor_on_an_empty_log_is_reset_to_zero(client):
    assert downlink(client, 1).json() == {"events": [], "last_seq": 0, "has_more": False, "reset": True}
    assert downlink(client, 0).json() == {"events": [], "last_seq": 0, "has_more": False}


def test_the_counts_split_the_batch_and_conflicts_are_among_the_applied(client):
    # As documented: applied = new to the log (conflicts included), duplicates = the rest.
    events = relay_log(2)
    upload(client, events[:2])
    Order.objects.filter(order_id=events[0]["order_id"]).update(status="cancelled")
    answer = upload(client, events).json()
    assert (answer["applied"], answer["duplicates"], answer["conflicts"]) == (4, 2, 1)
    assert OutletEvent.objects.exclude(conflict="").count() == 1


@pytest.mark.parametrize("since", ["5%0A", "%D9%A3", "10000000000000000000", "-1", "1.5"])
def test_a_cursor_that_is_not_a_plain_number_is_invalid_payload(client, since):
    # 20 digits overflowed SQLite's integers (a 500); "5\n" passed the old check.
    response = downlink(client, since)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [("get", URL, "POST"), ("put", URL, "POST"),
     ("post", "/api/kitchen-sync/relay/downlink/", "GET"),
     ("delete", "/api/kitchen-sync/relay/downlink/", "GET")],
)
def test_a_wrong_method_is_a_json_405(method, url, allowed):
    from django.test import Client

    # With CSRF enforced, as in a real request: the downlink's POST was a 403 HTML page.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {mint_relay_credential(outlet=1)}")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert allowed in response["Allow"]


def test_a_downlink_failure_is_a_json_500(client, monkeypatch):
    import kitchen_sync.views

    def broken(*args, **kwargs):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(kitchen_sync.views, "events_for_relay", broken)
    response = downlink(client, 0)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"


@pytest.mark.parametrize(
    "send",
    [lambda c, token: upload(c, [], token=token), lambda c, token: downlink(c, 0, token=token)],
    ids=["upload", "downlink"],
)
def test_a_failure_before_the_log_is_read_is_a_json_500_too(client, settings, send):
    # A secret that became unusable (a deploy's empty variable): the downlink answered Django's
    # HTML 500 page, which the relay shows as http_500, not central's own code.
    token = mint_relay_credential(outlet=1)
    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "RELAY_CREDENTIAL_SECRET": " "}
    response = send(client, token)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"


def test_a_batch_starting_after_centrals_cursor_is_refused_with_the_cursor(client):
    # Central's database came back from a backup that had seqs 1-3: the relay's cursor says
    # 6. Taking 7- would lose 4-6 for good; central answers where it stands instead.
    events = relay_log(3)
    upload(client, events[:6])
    restore_to(3)
    refused = upload(client, events[6:])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "seq_gap"
    assert refused.json()["error"]["last_seq"] == 3
    assert OutletEvent.objects.count() == 3
    assert RelayUploadCursor.objects.get().last_seq == 3
    answer = upload(client, events[3:]).json()
    assert (answer["last_seq"], answer["applied"]) == (9, 6)
    assert sorted(OutletEvent.objects.values_list("relay_seq", flat=True)) == list(range(1, 10))


def test_seqs_the_relays_retention_removed_are_not_a_gap(client):
    events = relay_log(3)
    upload(client, events[:3])
    answer = upload_with(client, events[6:], pruned_through=6)
    assert answer.status_code == 200
    assert (answer.json()["last_seq"], answer.json()["applied"]) == (9, 3)
    # Up to pruned_through only.
    assert upload_with(client, relay_log(4)[10:], pruned_through=9).json()["error"]["code"] == "seq_gap"


def upload_with(client, events, epoch="epoch-a", **fields):
    return client.post(
        URL,
        data=json.dumps({"outlet_id": 1, "epoch": epoch, "events": events, **fields}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {mint_relay_credential(outlet=1)}",
    )


@pytest.mark.parametrize("pruned", [-1, "3", 1.5, True, 2**53])
def test_pruned_through_that_is_not_a_seq_is_invalid_payload(client, pruned):
    response = upload_with(client, relay_log(1), pruned_through=pruned)
    assert response.json()["error"]["code"] == "invalid_payload"


def test_two_logs_sharing_an_epoch_are_an_epoch_conflict_never_duplicates(client):
    # A copied data dir: both relays log seqs 1-3 alike, then each logs its own 4-6.
    common = relay_log(1)
    first = common + relay_log(1)[:3]
    second = common + relay_log(1)[:3]
    for i, event in enumerate(first[3:] + second[3:]):
        event["seq"] = 4 + i % 3
    upload(client, first)
    refused = upload(client, second[2:])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "epoch_conflict"
    assert refused.json()["error"]["seq"] == 4
    assert OutletEvent.objects.count() == 6
    # The same log re-sent (a crash before the answer) is duplicates, as before.
    assert upload(client, first).json()["duplicates"] == 6
    # Under an epoch of its own, the second log's orders reach central.
    answer = upload(client, second, epoch="epoch-b").json()
    assert (answer["applied"], answer["duplicates"]) == (3, 3)


def test_a_downlink_cursor_naming_another_event_is_reset(client, in_memory_layer):
    # A restore, then relay uploads moved central's head past the relay's downlink cursor
    # again: `since` is no longer above the head, but the event at it is another one.
    upload(client, relay_log(1))
    place_central_order(client)
    before = downlink(client, 0).json()
    assert before["last_seq"] == 4
    restore_to(3)
    upload(client, [{**e, "seq": 4 + i} for i, e in enumerate(relay_log(1))])
    place_central_order(client)
    assert downlink(client, 4, check=before["last_check"]).json()["reset"] is True
    again = downlink(client, 0).json()
    assert [e["seq"] for e in again["events"]] == [7]
    assert "reset" not in downlink(client, again["last_seq"], check=again["last_check"]).json()
    # Without check (an older relay), as before.
    assert "reset" not in downlink(client, 4).json()


def place_central_order(client):
    client.post(
        "/api/public/order-groups/",
        data=json.dumps({"outlet_id": 1, "orders": [protocol_order()]}),
        content_type="application/json",
    )


@pytest.mark.parametrize("check", ["-1", "x", "1.5"])
def test_a_check_that_is_not_a_number_is_invalid_payload(client, check):
    response = downlink(client, 0, check=check)
    assert response.json()["error"]["code"] == "invalid_payload"


def test_an_event_for_another_outlets_order_changes_nothing(client):
    # Outlet 1's credential uploading order_cancelled for outlet 2's order id cancelled it.
    theirs = relay_log(1, outlet=2)[:1]
    assert upload(client, theirs, outlet=2).json()["applied"] == 1
    order_id = theirs[0]["order_id"]
    data = {"order_id": order_id, "outlet_id": 1, "tenant_id": 1, "status": "cancelled"}
    for event_type, status in (("order_cancelled", "cancelled"), ("new_order", "pending")):
        attack = {**relay_log(1)[0], "type": event_type, "order_id": order_id,
                  "data": {**data, "status": status}}
        response = upload(client, [attack], epoch=f"epoch-{event_type}")
        # Kept as a conflict, as a refused transition is: the uplink goes on.
        assert response.status_code == 200
        assert (response.json()["applied"], response.json()["conflicts"]) == (1, 1)
        row = OutletEvent.objects.get(event_id=attack["event_id"])
        assert "another outlet" in row.conflict
    order = Order.objects.get(order_id=order_id)
    assert (order.outlet_id, order.status) == ("2", "pending")


def nested(depth):
    value = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("change", "path"),
    [
        # ~940 deep passed the checks, then failed at the insert: a 500 on every retry.
        (lambda event: event["data"].update(notes=nested(500)), "events.0.data.notes"),
        # The project's order tables have a short status column (PostgreSQL: 500 for ever).
        (lambda event: event["data"].update(status="x" * 100), "events.0.data.status"),
        (lambda event: event["data"].update(status=["pending"]), "events.0.data.status"),
    ],
)
def test_an_event_central_could_not_store_is_refused_before_storing(client, change, path):
    events = relay_log(1)
    change(events[0])
    response = upload(client, events)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["issues"][0]["path"].startswith(path)
    assert OutletEvent.objects.count() == 0 and Order.objects.count() == 0


def test_an_event_as_deep_as_an_older_relay_may_log_is_taken(client):
    events = relay_log(1)
    events[0]["data"]["notes"] = nested(40)
    assert upload(client, events).json()["applied"] == 3
