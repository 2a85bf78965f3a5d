"""The shared library every app may import; it imports no app (DESIGN.md section 1)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
