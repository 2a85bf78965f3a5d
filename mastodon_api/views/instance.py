"""Instance information (v1 and v2) and the empty answers for what Chirp does not have."""

from typing import Any

from django.conf import settings
from django.http.request import split_domain_port
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import active_user_count
from mastodon_api.base import MastodonView
from mastodon_api.entities import VERSION
from media.models import DESCRIPTION_MAX_LENGTH, MAX_ATTACHMENTS
from tweets.models import TWEET_MAX_LENGTH
from tweets.selectors import visible_tweet_count

TITLE = "Chirp"
DESCRIPTION = "A Twitter-style social network. This server speaks a subset of the Mastodon client API."

_STATUSES = {
    "max_characters": TWEET_MAX_LENGTH,
    "max_media_attachments": MAX_ATTACHMENTS,
    "characters_reserved_per_url": 23,
}
# What media/processing.py accepts (judged by the bytes; these are what they may be).
SUPPORTED_MIME_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]


def _media() -> dict[str, Any]:
    """The truth about uploads, from the settings that enforce it (images only: no video)."""
    return {
        "supported_mime_types": SUPPORTED_MIME_TYPES,
        "image_size_limit": settings.MEDIA_MAX_BYTES,
        "image_matrix_limit": settings.MEDIA_MAX_PIXELS,
        "video_size_limit": 0,
        "video_frame_rate_limit": 0,
        "video_matrix_limit": 0,
        "description_limit": DESCRIPTION_MAX_LENGTH,
    }


_POLLS = {"max_options": 0, "max_characters_per_option": 0, "min_expiration": 0, "max_expiration": 0}


def streaming_url(request: Request) -> str:
    """Where the streams are (section 10): STREAMING_URL, else this host on STREAMING_PORT."""
    if settings.STREAMING_URL:
        return settings.STREAMING_URL.rstrip("/")
    domain, _port = split_domain_port(request.get_host())
    host = f"[{domain}]" if ":" in domain else domain
    return f"{'wss' if request.is_secure() else 'ws'}://{host}:{settings.STREAMING_PORT}"


class InstanceV1View(MastodonView):
    public_methods = ("GET",)

    def get(self, request: Request) -> Response:
        r = self.renderer
        return Response(
            {
                "uri": r.domain,
                "title": TITLE,
                "short_description": DESCRIPTION,
                "description": DESCRIPTION,
                "email": "",
                "version": VERSION,
                "urls": {"streaming_api": streaming_url(request)},
                "stats": {"user_count": active_user_count(), "status_count": visible_tweet_count(), "domain_count": 1},
                "thumbnail": r.header,
                "languages": ["en"],
                "registrations": False,
                "approval_required": False,
                "invites_enabled": False,
                "configuration": {
                    "accounts": {"max_featured_tags": 0},
                    "statuses": _STATUSES,
                    "media_attachments": _media(),
                    "polls": _POLLS,
                },
                "contact_account": None,
                "rules": [],
            }
        )


class InstanceV2View(MastodonView):
    public_methods = ("GET",)

    def get(self, request: Request) -> Response:
        r = self.renderer
        return Response(
            {
                "domain": r.domain,
                "title": TITLE,
                "version": VERSION,
                "source_url": f"{r.base}/",
                "description": DESCRIPTION,
                "usage": {"users": {"active_month": active_user_count()}},
                "thumbnail": {"url": r.header},
                "languages": ["en"],
                "configuration": {
                    "urls": {"streaming": streaming_url(request)},
                    "vapid": {"public_key": ""},
                    "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
                    "statuses": _STATUSES,
                    "media_attachments": _media(),
                    "polls": _POLLS,
                    "translation": {"enabled": False},
                },
                # Accounts are created through Chirp's own API (POST /api/auth/register/).
                "registrations": {"enabled": False, "approval_required": False, "message": None},
                "contact": {"email": "", "account": None},
                "rules": [],
            }
        )


class EmptyListView(MastodonView):
    """custom_emojis, filters (v1, v2), lists: Chirp has none of these."""

    public_methods = ("GET",)

    def get(self, request: Request) -> Response:
        return Response([])


class PreferencesView(MastodonView):
    """What apps read after sign-in to prefill the composer: everything Chirp posts is public."""

    scopes = {"GET": "read:accounts"}

    def get(self, request: Request) -> Response:
        return Response(
            {
                "posting:default:visibility": "public",
                "posting:default:sensitive": False,
                "posting:default:language": None,
                "reading:expand:media": "default",
                "reading:expand:spoilers": False,
            }
        )


class MarkersView(MastodonView):
    """Timeline read markers: Chirp keeps none, so there are none to report, and saving one is a no-op."""

    scopes = {"GET": "read:statuses", "POST": "write:statuses"}

    def get(self, request: Request) -> Response:
        return Response({})

    def post(self, request: Request) -> Response:
        return Response({})
