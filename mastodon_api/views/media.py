"""Media: POST /api/v2/media and /api/v1/media (processed in the request: 200 with the final
URL), GET and PUT /api/v1/media/:id. The same uploads, ids and rules as POST /api/media/."""

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.base import MastodonView
from mastodon_api.errors import Unprocessable
from media import selectors, services
from media.models import MAX_ATTACHMENTS
from media.parsers import MediaUploadParser
from media.throttles import MediaUploadThrottle


def media_ids_param(data: Any) -> list[int]:
    """`media_ids[]` (form) or `media_ids` (JSON list) of POST /api/v1/statuses; 422 for more
    than 4 or a malformed id (an unknown or taken one is the service's 422)."""
    if hasattr(data, "getlist"):
        raw: Any = data.getlist("media_ids[]") or data.getlist("media_ids")
    else:
        raw = data.get("media_ids") if hasattr(data, "get") else None
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list):
        raise Unprocessable("Validation failed: media_ids must be a list")
    if len(raw) > MAX_ATTACHMENTS:
        raise Unprocessable(f"Validation failed: Media attachments can't be more than {MAX_ATTACHMENTS}")
    ids = []
    for value in raw:
        media_id = selectors.parse_media_id(value)
        if media_id is None:
            raise Unprocessable(f"Validation failed: No such media: {value}")
        ids.append(media_id)
    return ids


class MediaCreateView(MastodonView):
    """`file` (required), `description`; `focus` is accepted and not kept (Chirp crops nothing)."""

    scopes = {"POST": "write:media"}
    parser_classes = [MediaUploadParser]
    throttle_classes = [MediaUploadThrottle]

    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise Unprocessable("Validation failed: File can't be blank")
        if "thumbnail" in request.FILES:
            raise Unprocessable("Validation failed: thumbnails are only for audio and video, which Chirp does not take")
        media = services.media_upload(owner=self.me, file=upload, description=self.param("description"))
        return Response(self.renderer.media_attachment(selectors.media_row(media)))


class MediaView(MastodonView):
    scopes = {"GET": "write:media", "PUT": "write:media"}

    def get(self, request: Request, media_id: str) -> Response:
        media = selectors.media_get(media_id=media_id, owner_id=self.me.pk)
        return Response(self.renderer.media_attachment(selectors.media_row(media)))

    def put(self, request: Request, media_id: str) -> Response:
        media = selectors.media_get(media_id=media_id, owner_id=self.me.pk)
        data = request.data
        if hasattr(data, "get") and data.get("description") is not None:
            media = services.media_update(media=media, description=self.param("description"))
        return Response(self.renderer.media_attachment(selectors.media_row(media)))
