"""Loads the demo menu (exported from examples/central/src/menu.ts) into the versioned models."""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from menu.models import Category, Product, Promotion

OWN_FIELDS = {"id", "name", "price", "category_id", "start_date", "end_date", "is_active"}


def extra(row):
    return {k: v for k, v in row.items() if k not in OWN_FIELDS}


class Command(BaseCommand):
    help = "Load the demo menu JSON ({categories, products, discontinued, promotions})."

    def add_arguments(self, parser):
        parser.add_argument("path")

    @transaction.atomic
    def handle(self, path, **options):
        with open(path, encoding="utf-8") as file:
            menu = json.load(file)
        for row in menu["categories"]:
            Category.objects.create(id=row["id"], name=row["name"], extra=extra(row))
        for row in menu["products"]:
            Product.objects.create(
                id=row["id"], name=row["name"], price=Decimal(row["price"]),
                category_id=row["category_id"], extra=extra(row),
            )
        # Through QuerySet.delete(): tombstones the kiosk's cache learns from.
        Product.objects.filter(pk__in=menu["discontinued"]).delete()
        for row in menu["promotions"]:
            Promotion.objects.create(
                id=row["id"], name=row["name"], start_date=row["start_date"],
                end_date=row["end_date"], is_active=row["is_active"], extra=extra(row),
            )
        self.stdout.write(f"demo menu: {len(menu['products'])} products")
