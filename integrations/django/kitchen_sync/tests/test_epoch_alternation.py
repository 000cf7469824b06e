"""Two relays with one outlet's credential (a cloned PC) upload under two epochs at once:
central warns, once per window, naming the outlet and both epochs; a relay reinstalled with
a new epoch is never warned about. Operators see the cursors in the admin."""

import datetime

import pytest
from django.utils import timezone

from kitchen_sync import outlet_log
from kitchen_sync.models import RelayUploadCursor

from .test_relay_upload import relay_log, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_warning_yet(monkeypatch):
    # The warnings this process already gave (one per outlet and window).
    monkeypatch.setattr(outlet_log, "_alternation_warned", {}, raising=False)


def alternation_warnings(caplog):
    return [
        r.getMessage() for r in caplog.records
        if r.name == "kitchen_sync.outlet_log" and "alternate" in r.getMessage()
    ]


def uploads(client, *steps, logs=None):
    """Each step ``(epoch, seq)`` uploads that seq of its epoch's log (kept in ``logs``)."""
    logs = {} if logs is None else logs
    for epoch, seq in steps:
        log = logs.setdefault(epoch, relay_log(orders=2))
        assert upload(client, [log[seq - 1]], epoch=epoch).status_code == 200


def test_two_relays_uploading_at_once_are_warned_about_once(client, caplog):
    uploads(client, ("epoch-a", 1), ("epoch-b", 1), ("epoch-a", 2), ("epoch-b", 2), ("epoch-a", 3))
    [warning] = alternation_warnings(caplog)
    assert "outlet 1" in warning and "epoch-a" in warning and "epoch-b" in warning


def test_a_relay_reinstalled_with_a_new_epoch_is_not_warned_about(client, caplog):
    uploads(client, ("epoch-a", 1), ("epoch-a", 2), ("epoch-b", 1), ("epoch-b", 2), ("epoch-b", 3))
    assert alternation_warnings(caplog) == []


def test_an_epoch_last_seen_before_the_window_is_not_an_alternation(client, caplog):
    logs = {}
    uploads(client, ("epoch-a", 1), ("epoch-b", 1), logs=logs)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    RelayUploadCursor.objects.all().update(updated_at=long_ago)
    RelayUploadCursor.objects.filter(epoch="epoch-a").update(
        updated_at=long_ago - datetime.timedelta(minutes=1)
    )
    uploads(client, ("epoch-a", 2), logs=logs)
    assert alternation_warnings(caplog) == []


def test_other_outlets_epochs_do_not_count(client, caplog):
    log = relay_log(outlet=2)
    assert upload(client, log[:1], epoch="epoch-x", outlet=2).status_code == 200
    uploads(client, ("epoch-a", 1), ("epoch-a", 2))
    assert alternation_warnings(caplog) == []


def test_the_admin_lists_the_upload_cursors_per_outlet_and_epoch(admin_client, client):
    uploads(client, ("epoch-a", 1), ("epoch-b", 1))
    page = admin_client.get("/admin/kitchen_sync/relayuploadcursor/")
    assert page.status_code == 200
    assert b"epoch-a" in page.content and b"epoch-b" in page.content
