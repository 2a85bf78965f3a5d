"""The Mastodon-compatible client API (DESIGN.md section 7): a translation layer only."""

import re

from django.apps import AppConfig

# Browser apps on any origin may call these: they authenticate with Bearer tokens, never cookies.
OPEN_CORS_RE = re.compile(r"^/(api/v1/|api/v2/|oauth/token/?$|oauth/revoke/?$)")


def _open_cors(sender: object, request: object, **kwargs: object) -> bool:
    """django-cors-headers asks whether a request may come from any origin."""
    return bool(OPEN_CORS_RE.match(request.path))  # type: ignore[attr-defined]


class MastodonApiConfig(AppConfig):
    name = "mastodon_api"
    verbose_name = "Mastodon-compatible API"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        check_request_enabled.connect(_open_cors, dispatch_uid="mastodon_api_open_cors")
