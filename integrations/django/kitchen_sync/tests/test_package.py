"""The app is complete as installed: migrations match the models, every module imports."""

import importlib
import io

import pytest
from django.core.management import call_command

MODULES = ["admin", "apps", "checks", "consumers", "errors", "events", "middleware", "models", "origins",
           "request_body",
           "outlet_log", "payload_rules", "routing", "settings", "signals", "tokens", "versioned",
           "views"]


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name):
    importlib.import_module(f"kitchen_sync.{name}")


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = io.StringIO()
    call_command("makemigrations", "kitchen_sync", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_unknown_setting_names_fail_loudly():
    from kitchen_sync.settings import ks_setting

    with pytest.raises(KeyError):
        ks_setting("RELAY_SECRTE")


def test_a_misspelled_setting_is_a_system_check_warning(settings):
    from django.core.checks import run_checks

    settings.KITCHEN_SYNC = {**settings.KITCHEN_SYNC, "RELAY_SECRTE": "x", "UPLOAD_BATCH_MAX": 5}
    found = [m for m in run_checks() if m.id == "kitchen_sync.W001"]
    assert len(found) == 1
    assert "'RELAY_SECRTE'" in found[0].msg and "'RELAY_SECRET'" in found[0].hint
    settings.KITCHEN_SYNC = {"RELAY_SECRET": "x"}
    assert not [m for m in run_checks() if m.id == "kitchen_sync.W001"]


def test_credentials_signed_with_the_relays_secret_are_a_system_check_warning(settings):
    from django.core.checks import run_checks

    settings.KITCHEN_SYNC = {"RELAY_SECRET": "x"}
    found = [m for m in run_checks() if m.id == "kitchen_sync.W002"]
    assert len(found) == 1 and "RELAY_CREDENTIAL_SECRET" in found[0].hint
    settings.KITCHEN_SYNC = {"RELAY_SECRET": "x", "RELAY_CREDENTIAL_SECRET": "central-only"}
    assert not [m for m in run_checks() if m.id == "kitchen_sync.W002"]


def test_socket_tokens_signed_with_the_relays_secret_are_a_system_check_warning(settings):
    from django.core.checks import run_checks

    for configured in ({"RELAY_SECRET": "x"}, {"RELAY_SECRET": "x", "SOCKET_TOKEN_SECRET": " x "}):
        settings.KITCHEN_SYNC = configured
        found = [m for m in run_checks() if m.id == "kitchen_sync.W003"]
        assert len(found) == 1 and "SOCKET_TOKEN_SECRET" in found[0].hint
    settings.KITCHEN_SYNC = {"RELAY_SECRET": "x", "SOCKET_TOKEN_SECRET": "central-only"}
    assert not [m for m in run_checks() if m.id == "kitchen_sync.W003"]
