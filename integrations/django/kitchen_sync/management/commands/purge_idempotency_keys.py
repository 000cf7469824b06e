"""Deletes stored Idempotency-Key answers older than --days (default 7)."""

import math
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kitchen_sync.models import IdempotentRequest


class Command(BaseCommand):
    help = (
        "Delete IdempotentRequest rows older than --days. Keep at least the service worker's "
        "queue retention (24 h): a replay of an older key would book its order again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=float, default=7.0)

    def handle(self, *args, days, **options):
        # float() reads "nan" and "inf": nan passes any comparison, inf overflows timedelta.
        if not math.isfinite(days):
            raise CommandError(f"--days must be a finite number of days, not {days}")
        if days < 1:
            raise CommandError("--days must be at least 1 (the replay queue keeps orders 24 h)")
        try:
            cutoff = timezone.now() - timedelta(days=days)
        except OverflowError:
            raise CommandError(f"--days {days:g} reaches before year 1") from None
        deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} idempotency keys older than {days:g} days")
