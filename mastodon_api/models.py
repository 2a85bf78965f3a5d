"""What Mastodon records about a client app beyond django-oauth-toolkit's Application."""

from django.db import models
from oauth2_provider.models import Application


class ClientApp(models.Model):
    """A Mastodon client registered through POST /api/v1/apps: its website and the scopes it may ask for."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="mastodon")
    website = models.CharField(max_length=2000, blank=True, default="")
    scopes = models.CharField(max_length=1000, default="read")

    def __str__(self) -> str:
        return f"{self.application.name} ({self.scopes})"
