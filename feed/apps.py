from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.events import connect
        from feed.events import EVENTS

        connect(self.label, EVENTS)
