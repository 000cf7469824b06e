"""The order intake with a gate, so a test can hold the first attempt inside its transaction."""

import threading

from django.urls import path

from menu.views import create_order_group

in_view = threading.Event()
release = threading.Event()


def gated_create_order_group(request):
    if not in_view.is_set():
        in_view.set()
        if not release.wait(30):
            raise TimeoutError("the test never released the first attempt")
    return create_order_group(request)


urlpatterns = [path("api/public/order-groups/", gated_create_order_group)]
