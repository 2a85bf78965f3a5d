from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.events import connect
        from notifications.events import EVENTS

        connect(self.label, EVENTS)
