"""kitchen-sync for Django + Channels. Documentation: docs/django.md of the repository."""

__version__ = "0.1.0"
