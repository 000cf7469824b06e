"""``websocket_urlpatterns`` for the project's asgi.py (see docs/django.md)."""

from django.urls import re_path

from .consumers import OutletConsumer

websocket_urlpatterns = [
    re_path(r"^ws/outlet/(?P<outlet_id>[^/]{1,64})/$", OutletConsumer.as_asgi()),
]
