from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kitchen_sync.health import HealthView
from kitchen_sync.views import RelayDownlinkView
from menu import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", HealthView.as_view()),
    path("api/products/", views.ProductSyncView.as_view()),
    path("api/categories/", views.CategorySyncView.as_view()),
    path("api/promotions/", views.PromotionSyncView.as_view()),
    path("api/tenants/", views.tenants),
    path("api/tenants/outlets/<str:outlet_id>/", views.DemoOutletSettingsView.as_view()),
    path("api/public/order-groups/", views.create_order_group),
    path("api/kitchen-sync/relay/upload/", views.OutletUploadView.as_view()),
    path("api/kitchen-sync/relay/downlink/", RelayDownlinkView.as_view()),
]

if settings.KS_TEST_CONTROL:
    urlpatterns.append(path("test-control/", include("menu.control_urls")))
