"""``websocket_urlpatterns`` for the project's asgi.py (see docs/django.md)."""

from django.urls import re_path

from .consumers import OutletConsumer

websocket_urlpatterns = [
    # \Z, not $: "$" also matches before a trailing newline.
    re_path(r"^ws/outlet/(?P<outlet_id>[^/]{1,64})/\Z", OutletConsumer.as_asgi()),
]
