"""On PostgreSQL, with real concurrent connections (one thread each)."""

import json
import threading
import time
import uuid

import pytest
from django.db import connection, connections
from django.test import Client

from kitchen_sync.models import SyncCounter
from kitchen_sync.tests import gated_urls
from menu.models import Order, Product

from .orders import protocol_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(target, *args):
    """Runs target on its own thread with its own database connection, closed after."""
    errors = []

    def wrapped():
        try:
            target(*args)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=wrapped)
    thread.start()
    return thread, errors


def test_versions_under_parallel_writers_are_unique_and_visible_in_order(category):
    writers, per_writer = 6, 25
    done = threading.Event()
    gaps = []

    def write(n):
        for i in range(per_writer):
            Product.objects.create(name=f"w{n}-{i}", price=1, category=category)

    def read():
        # The rule the client relies on: whoever sees version v also sees every version < v.
        while not done.is_set():
            seen = sorted(Product.objects.values_list("version", flat=True))
            if seen and seen != list(range(1, len(seen) + 1)):
                gaps.append(seen)

    reader, reader_errors = in_thread(read)
    threads = [in_thread(write, n) for n in range(writers)]
    for thread, _ in threads:
        thread.join(60)
    done.set()
    reader.join(60)
    assert [e for _, errors in threads for e in errors] + reader_errors == []
    versions = sorted(Product.objects.values_list("version", flat=True))
    assert versions == list(range(1, writers * per_writer + 1))
    assert SyncCounter.objects.get(collection="products").value == writers * per_writer
    assert gaps == []


def waiting_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_two_simultaneous_first_attempts_book_one_order(settings, in_memory_layer):
    settings.ROOT_URLCONF = "kitchen_sync.tests.gated_urls"
    gated_urls.in_view.clear()
    gated_urls.release.clear()
    order_id = str(uuid.uuid4())
    body = json.dumps({"outlet_id": 1, "orders": [protocol_order(order_id=order_id)]})
    answers = []

    def attempt():
        response = Client().post(
            "/api/public/order-groups/", body, content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=order_id,
        )
        answers.append(response)

    first, first_errors = in_thread(attempt)
    assert gated_urls.in_view.wait(30)
    second, second_errors = in_thread(attempt)
    # The second attempt's claim must be blocked on the first's uncommitted key.
    deadline = time.monotonic() + 30
    while waiting_on_a_lock() == 0:
        assert time.monotonic() < deadline, "the second attempt never blocked on the first"
        time.sleep(0.01)
    gated_urls.release.set()
    first.join(30)
    second.join(30)
    assert first_errors + second_errors == []
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert sorted(r.has_header("Idempotent-Replayed") for r in answers) == [False, True]
    assert Order.objects.count() == 1


def test_bulk_delete_leaves_tombstones_alongside_a_writer(category):
    Product.objects.bulk_create([Product(name=f"P{i}", price=1, category=category) for i in range(200)])
    doomed = list(Product.objects.order_by("pk").values_list("pk", flat=True)[:100])

    def write():
        for i in range(50):
            Product.objects.create(name=f"new{i}", price=1, category=category)

    writer, errors = in_thread(write)
    deleted, _ = Product.objects.filter(pk__in=doomed).delete()
    writer.join(60)
    assert errors == []
    assert deleted == 100
    tombstones = Product.objects.filter(deleted=True)
    assert sorted(tombstones.values_list("pk", flat=True)) == doomed
    # 350 versions taken (200 + 50 creations, 100 deletions), each once; the deleted rows'
    # old versions 1..100 are superseded by their tombstones'.
    versions = sorted(Product.objects.values_list("version", flat=True))
    assert versions == list(range(101, 351))
    assert SyncCounter.objects.get(collection="products").value == 350


def test_two_relay_epochs_uploading_the_same_orders_at_once_book_each_once():
    from kitchen_sync.tests.test_relay_upload import relay_log
    from kitchen_sync.outlet_log import apply_relay_batch
    from kitchen_sync.models import OutletEvent

    events = relay_log(40)
    applied = []

    def apply(row):
        applied.append(row.event_id)

    # Two uploaders with the same events (an old relay process and its restarted successor):
    # the unique constraints and the per-outlet counter lock keep one copy of each.
    threads = [in_thread(apply_relay_batch, 1, epoch, events, apply) for epoch in ("a", "b")]
    for thread, _ in threads:
        thread.join(60)
    assert [e for _, errors in threads for e in errors] == []
    assert sorted(applied) == sorted(e["event_id"] for e in events)
    seqs = sorted(OutletEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, len(events) + 1))
