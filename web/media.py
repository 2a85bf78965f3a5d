"""Images on the compose and reply forms, through the media app's services (DESIGN.md section 9).

The media app may not be installed (it arrived after this app): then the forms say so
when images are sent, and tweets are posted without them.
"""

import importlib
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# DESIGN.md section 9: a tweet carries up to 4 images.
MAX_IMAGES = 4


def enabled() -> bool:
    return apps.is_installed("media")


def upload(*, owner: Any, files: Sequence[UploadedFile], descriptions: Sequence[str]) -> list[int]:
    """Upload each file with its description (media.services.media_upload); the ids, in order.

    A refused file is a ValidationError on `images`; uploads that are never attached expire
    as the API's do.
    """
    if not files:
        return []
    if not enabled():
        raise ValidationError({"images": ["This server does not take images."]})
    if len(files) > MAX_IMAGES:
        raise ValidationError({"images": [f"Add at most {MAX_IMAGES} images."]})
    services = importlib.import_module("media.services")
    ids = []
    for index, file in enumerate(files):
        description = descriptions[index] if index < len(descriptions) else ""
        try:
            ids.append(services.media_upload(owner=owner, file=file, description=description).pk)
        except ValidationError as exc:
            messages = [f"{file.name}: {message}" for message in exc.messages]
            raise ValidationError({"images": messages}) from exc
    return ids


def media_object(row: Any) -> dict[str, Any] | None:
    """A compact media row as the media object (media.selectors.media_object), or None."""
    if not enabled():
        return None
    formatted: dict[str, Any] = importlib.import_module("media.selectors").media_object(row)
    return formatted
