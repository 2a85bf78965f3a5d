"""Real-time streams (DESIGN.md section 10): the stream process, and the publisher in the others."""

from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "streaming"
    verbose_name = "Streaming"

    def ready(self) -> None:
        from streaming import receivers

        receivers.connect()  # web and worker processes publish what the stream process serves
