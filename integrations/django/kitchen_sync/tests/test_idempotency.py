"""Order intake: one Idempotency-Key books once and always gets the first answer."""

import json
import uuid

import pytest

from kitchen_sync.models import IdempotentRequest, OutletEvent
from menu.models import Order, OrderGroup

from .orders import protocol_order

pytestmark = pytest.mark.django_db

URL = "/api/public/order-groups/"


def group(*order_ids, **fields):
    return json.dumps(
        {"outlet_id": 1, "orders": [protocol_order(order_id=str(i), **fields) for i in order_ids]}
    )


def post(client, body, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, content_type="application/json", **headers)


def test_a_repeated_key_books_once_and_replays_the_first_answer(client, in_memory_layer):
    order_id = uuid.uuid4()
    first = post(client, group(order_id), str(order_id))
    again = post(client, group(order_id), str(order_id))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Order.objects.count() == 1


def test_a_failed_attempt_is_not_stored_so_the_retry_runs(client, in_memory_layer):
    key = str(uuid.uuid4())
    assert post(client, "{not json", key).status_code == 400
    assert IdempotentRequest.objects.count() == 0
    assert post(client, group(key), key).status_code == 201
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(client, in_memory_layer):
    # Its own code, as the relay's order_conflict: not a malformed order the kiosk should fix,
    # and a 4xx the service worker moves to its rejected list rather than resending.
    key = str(uuid.uuid4())
    post(client, group(key), key)
    response = post(client, group(uuid.uuid4()), key)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1


def test_an_order_the_protocol_refuses_books_nothing_of_its_group(client, in_memory_layer):
    good, bad = uuid.uuid4(), uuid.uuid4()
    body = json.loads(group(good))
    body["orders"].append(protocol_order(order_id=str(bad), total_amount=150000))
    response = post(client, json.dumps(body), str(good))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_payload"
    assert error["issues"] == [
        {"path": "orders.1.total_amount", "message": 'must be a decimal string such as "150000" or "12.50"'}
    ]
    assert (OrderGroup.objects.count(), Order.objects.count(), OutletEvent.objects.count()) == (0, 0, 0)
    assert IdempotentRequest.objects.count() == 0


def test_too_long_key_is_refused(client):
    response = post(client, group(uuid.uuid4()), "k" * 129)
    assert response.json()["error"]["code"] == "invalid_payload"


def test_cors_preflight_allows_the_idempotency_key_header(client):
    response = client.options(
        URL,
        HTTP_ORIGIN="http://kiosk.localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,idempotency-key",
    )
    assert response["Access-Control-Allow-Origin"] == "http://kiosk.localhost:5173"
    assert "idempotency-key" in response["Access-Control-Allow-Headers"].lower()


def test_purge_deletes_only_keys_older_than_the_cutoff():
    from datetime import timedelta

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    old = IdempotentRequest.objects.create(key="old", path=URL, body_hash="", status=201, body=b"",
                                           content_type="application/json")
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    IdempotentRequest.objects.create(key="new", path=URL, body_hash="", status=201, body=b"",
                                     content_type="application/json")
    call_command("purge_idempotency_keys", "--days", "7", verbosity=0)
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    with pytest.raises(CommandError):
        call_command("purge_idempotency_keys", "--days", "0.5")


@pytest.mark.parametrize("days", ["nan", "inf", "-inf", "1e9"])
def test_purge_refuses_days_that_are_not_a_usable_number(days):
    from django.core.management import CommandError, call_command

    # nan passed the "at least one day" check and crashed; inf and 1e9 overflowed.
    with pytest.raises(CommandError, match="--days"):
        call_command("purge_idempotency_keys", "--days", days, verbosity=0)
