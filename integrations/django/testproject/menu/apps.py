from django.apps import AppConfig


class MenuConfig(AppConfig):
    name = "menu"
    default_auto_field = "django.db.models.BigAutoField"
