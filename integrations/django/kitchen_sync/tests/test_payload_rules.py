"""payload_rules: central judges the events it makes as the protocol (and the relay) does.

The shared cases come from the relay's test (packages/relay/test/centralEvents.test.ts), which
judges each with the protocol's own validator; this port must reach the same verdicts."""

import json
import re
from pathlib import Path

import pytest

from kitchen_sync import payload_rules
from kitchen_sync.events import EVENT_TYPES
from kitchen_sync.payload_rules import central_event_refusal

ROOT = Path(__file__).resolve().parents[4]
FIXTURE = json.loads(
    (ROOT / "packages/relay/test/fixtures/central-events.json").read_text(encoding="utf-8")
)
ORDER_ID = "0190a5b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b"


def verdict(event, logged=True, max_message_bytes=FIXTURE["max_message_bytes"]):
    refused = central_event_refusal(event, logged=logged, max_message_bytes=max_message_bytes)
    if refused is None:
        return {"valid": True}
    code, _, issues = refused
    return {"valid": False, "code": code, "paths": sorted({path for path, _ in issues})}


def shared_cases():
    for case in FIXTURE["cases"]:
        yield pytest.param(case, id=case["name"])


def test_the_fixture_has_cases_of_each_kind():
    verdicts = [(c["valid"], c.get("code")) for c in FIXTURE["cases"]]
    assert len(verdicts) >= 80
    assert {(True, None), (False, "invalid_payload"), (False, "too_large"),
            (False, "invalid_transition")} <= set(verdicts)


@pytest.mark.parametrize("case", shared_cases())
def test_the_protocols_verdict(case):
    wanted = {key: case[key] for key in ("valid", "code", "paths") if key in case}
    assert verdict(case["event"], logged=case.get("logged", True)) == wanted


def protocol_limits():
    source = (ROOT / "packages/protocol/src/constants.ts").read_text()
    return {
        name: int(value.replace("_", ""))
        for name, value in re.findall(r"^\s+([A-Z_]+): ([0-9_]+),$", source, re.M)
    }


def test_the_limits_are_the_protocols():
    limits = protocol_limits()
    assert {
        "ID_MAX_LENGTH": payload_rules.ID_MAX_LENGTH,
        "TEXT_MAX_LENGTH": payload_rules.TEXT_MAX_LENGTH,
        "ITEMS_MAX": payload_rules.ITEMS_MAX,
        "QUANTITY_MAX": payload_rules.QUANTITY_MAX,
        "MAX_DEPTH": payload_rules.MAX_DEPTH,
        "HOLDS_MAX": payload_rules.HOLDS_MAX,
    }.items() <= limits.items()


def test_the_event_types_are_the_packages():
    assert set(payload_rules.ORDER_EVENT_TYPES) | {"kitchen_status_changed"} == set(EVENT_TYPES)


def new_order(**fields):
    data = {
        "order_id": ORDER_ID, "order_number": "OFF-1", "outlet_id": 1, "tenant_id": 3,
        "status": "pending", "items": [{"product_id": 10, "name": "Nasi goreng", "quantity": 2}],
        "total_amount": "50000", "created_at": "2026-01-03T08:00:00Z", **fields,
    }
    return {"event_id": "0190a5b2-7c3e-7d4f-8a1b-000000000001", "type": "new_order",
            "outlet_id": 1, "tenant_id": 3, "order_id": ORDER_ID, "data": data,
            "ts": "2026-01-03T08:00:00.123Z"}


# What JSON cannot carry, so the shared file cannot either.


def test_a_float_that_is_an_integer_is_an_integer_as_javascript_reads_it():
    event = new_order(items=[{"product_id": 10.0, "name": "Nasi", "quantity": 2.0, "course": 1.0}],
                      hold=[{"course": 1}], outlet_id=1.0)
    assert verdict(event) == {"valid": True}


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_a_number(value):
    event = new_order(items=[{"product_id": 10, "name": "Nasi", "quantity": value}])
    assert verdict(event)["paths"] == ["data.items.0.quantity"]


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_numbers_no_json_parser_reads_are_refused(number):
    assert verdict(new_order(discount=number)) == {
        "valid": False, "code": "invalid_payload", "paths": ["data.discount"]
    }


def test_paths_are_spelled_as_the_protocol_spells_them():
    assert payload_rules.issue_path(("data", "items", 0, "name")) == "data.items.0.name"
    assert payload_rules.issue_path(()) == "(root)"
    assert payload_rules.path_within("orders.1", "items.0.name") == "orders.1.items.0.name"
    assert payload_rules.path_within("orders.1", "(root)") == "orders.1"
    assert payload_rules.order_path("data.items.0.name") == "items.0.name"
    assert payload_rules.order_path("data") == "(root)"
    assert payload_rules.order_path("event_id") == "event_id"


@pytest.mark.parametrize("key", ["a\x00b", "\ud800"])
def test_a_key_no_database_stores_is_refused(key):
    assert verdict(new_order(extra={key: 1}))["paths"] == [f"data.extra.{key}"]


def test_the_size_limit_is_measured_as_the_relay_measures_it():
    event = new_order(notes="\u00e9" * 200)  # two bytes each in UTF-8
    size = payload_rules.json_size({**event["data"], "event_id": event["event_id"]})
    assert verdict(event, max_message_bytes=size) == {"valid": True}
    assert verdict(event, max_message_bytes=size - 1)["code"] == "too_large"


def test_500_items_are_the_most():
    items = [{"product_id": i, "name": "Es teh", "quantity": 1} for i in range(501)]
    assert verdict(new_order(items=items[:500]), max_message_bytes=65536) == {"valid": True}
    assert verdict(new_order(items=items), max_message_bytes=65536)["paths"] == ["data.items"]
