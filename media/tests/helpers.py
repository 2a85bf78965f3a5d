"""Helpers shared by the tests that upload images (media, tweets, feed, mastodon_api)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from media import services
from media.models import Media
from media.tests import images

_JPEG: bytes | None = None


def small_jpeg() -> bytes:
    """A 600x400 photo-like JPEG carrying every metadata block (made once per process)."""
    global _JPEG
    if _JPEG is None:
        _JPEG = images.jpeg_with_everything(images.photo(600, 400))
    return _JPEG


def use_folder(settings: Any, folder: Path) -> Path:
    """Point STORAGES["default"] at `folder` (a file system storage) for the test."""
    folder.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": settings.MEDIA_URL, "file_permissions_mode": 0o644},
        },
    }
    return folder


def stored_files(folder: Path) -> list[str]:
    """Every file under the storage folder, as storage names."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def upload(owner: Any, description: str = "", data: bytes | None = None) -> Media:
    """An upload through the service, as the API makes it."""
    file = SimpleUploadedFile("photo.jpg", small_jpeg() if data is None else data, content_type="image/jpeg")
    return services.media_upload(owner=owner, file=file, description=description)


def post_upload(client: Any, data: bytes | None = None, description: str | None = None, name: str = "photo.jpg") -> Any:
    """POST /api/media/ (multipart) with `client`."""
    content = small_jpeg() if data is None else data
    body: dict[str, Any] = {"file": SimpleUploadedFile(name, content, content_type="image/jpeg")}
    if description is not None:
        body["description"] = description
    return client.post("/api/media/", body, format="multipart")
