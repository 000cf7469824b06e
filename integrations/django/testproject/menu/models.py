from django.db import models

from kitchen_sync.models import VersionedModel


class Category(VersionedModel):
    sync_collection = "categories"
    name = models.CharField(max_length=100)
    # The demo menu's other fields (tenant_id, sort_order, ...), sent as they are.
    extra = models.JSONField(default=dict, blank=True)


class Product(VersionedModel):
    sync_collection = "products"
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    extra = models.JSONField(default=dict, blank=True)


class Promotion(VersionedModel):
    sync_collection = "promotions"
    name = models.CharField(max_length=200)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)


class OrderGroup(models.Model):
    outlet_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class Order(models.Model):
    # Unique: even without the middleware, one order_id books one order.
    order_id = models.UUIDField(unique=True)
    group = models.ForeignKey(OrderGroup, on_delete=models.CASCADE, related_name="orders")
    outlet_id = models.CharField(max_length=64)
    tenant_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, default="pending")
    # Why the order got its status, as the outlet gave it (a cancel's "wrong dish, refunded").
    status_reason = models.TextField(blank=True, default="")
    payload = models.JSONField()

    def move_to(self, status, reason=""):
        """Saves a new status with its reason; the payload's status follows, since central's own
        changes send the payload as the order's state."""
        self.status = status
        self.status_reason = reason
        self.payload = {**self.payload, "status": status}
        self.save(update_fields=["status", "status_reason", "payload"])
