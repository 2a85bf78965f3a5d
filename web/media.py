"""Images on the compose and reply forms, through the media app's services (DESIGN.md section 9),
under the API's limits: MEDIA_MAX_BYTES per file and the API's upload throttle bucket.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from media import selectors as media_selectors
from media import services as media_services
from media.models import MAX_ATTACHMENTS as MAX_IMAGES
from web.throttles import media_wait


def upload(
    *, request: HttpRequest, owner: Any, files: Sequence[UploadedFile], descriptions: Sequence[str]
) -> list[int]:
    """Upload each file with its description (media.services.media_upload); the ids, in order.

    A refused file, one over MEDIA_MAX_BYTES, or an upload over MEDIA_THROTTLE_RATE (each
    file counts, as each API upload does) is a ValidationError on `images`; uploads that are
    never attached expire as the API's do.
    """
    if not files:
        return []
    if len(files) > MAX_IMAGES:
        raise ValidationError({"images": [f"Add at most {MAX_IMAGES} images."]})
    limit = settings.MEDIA_MAX_BYTES
    too_large = [f"{file.name}: larger than {limit // (1024 * 1024)} MB." for file in files if (file.size or 0) > limit]
    if too_large:
        raise ValidationError({"images": too_large})
    for _ in files:
        wait = media_wait(request)
        if wait is not None:
            raise ValidationError({"images": [f"Too many images uploaded; try again in {wait} seconds."]})
    ids = []
    for index, file in enumerate(files):
        description = descriptions[index] if index < len(descriptions) else ""
        try:
            ids.append(media_services.media_upload(owner=owner, file=file, description=description).pk)
        except ValidationError as exc:
            messages = [f"{file.name}: {message}" for message in exc.messages]
            raise ValidationError({"images": messages}) from exc
    return ids


def media_object(row: Any) -> dict[str, Any]:
    """A compact media row (a cached tweet body's) as the media object."""
    formatted: dict[str, Any] = media_selectors.media_object(row)
    return formatted
