from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web interface for people (DESIGN.md section 11): pages over the apps' services and selectors."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"
