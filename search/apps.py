from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.events import connect
        from search.events import EVENTS

        connect(self.label, EVENTS)
