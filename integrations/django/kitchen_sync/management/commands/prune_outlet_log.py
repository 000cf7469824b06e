"""Deletes outlet log events older than --older-than-days (default OUTLET_LOG_RETENTION_DAYS),
except those a consumer may still need (kitchen_sync.outlet_log_retention)."""

import re

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from kitchen_sync.outlet_log_retention import prune_outlet_log, retention_days

# With fullmatch and [0-9]: int() also reads "+3", " 3", "3_0" and other scripts' digits. At
# most 99999: a million days back is before year 1, which timedelta cannot reach.
_WHOLE = re.compile(r"[0-9]{1,5}")


def _whole_number(value, name):
    if not _WHOLE.fullmatch(value) or int(value) < 1:
        raise CommandError(f"{name} must be a whole number from 1 to 99999, not {value!r}")
    return int(value)


class Command(BaseCommand):
    help = (
        "Delete outlet log events older than --older-than-days (default: the setting "
        "OUTLET_LOG_RETENTION_DAYS), except each outlet's newest event, the events from its "
        "relay's downlink cursor on, and the events of orders still open or changed within "
        "that time. Safe to run while central serves; running it again deletes nothing more."
    )

    def add_arguments(self, parser):
        # Strings, checked here: argparse's int() would take " 3" and "+3" and answer others
        # with a usage line.
        parser.add_argument("--older-than-days", dest="days", default=None)
        parser.add_argument("--batch-size", dest="batch_size", default="1000")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, days, batch_size, dry_run, **options):
        if days is None:
            try:
                days = retention_days()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from None
        else:
            days = _whole_number(str(days), "--older-than-days")
        batch_size = _whole_number(str(batch_size), "--batch-size")
        counts = prune_outlet_log(days, batch_size=batch_size, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for outlet, count in counts.items():
            self.stdout.write(f"outlet {outlet}: {verb} {count} events")
        self.stdout.write(
            f"{verb} {sum(counts.values())} outlet log events older than {days} days"
        )
