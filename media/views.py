"""The media files themselves, served by the web process when they live on its file system.

`make run` and a single-machine deployment need no other file server; with S3 the bucket
(or a CDN in front of it) serves them and this view is not mounted (config/urls.py).
"""

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from media import storage
from media.processing import CONTENT_TYPES

# Exactly the names media.storage.new_name makes: nothing else is ever served from here.
NAME_RE = r"[0-9a-f]{2}/[0-9a-f]{32}\.(?:jpg|png)"
_NAME = re.compile(NAME_RE)


@require_safe
def serve_file(request: HttpRequest, name: str) -> FileResponse:
    """A stored image with its real Content-Type, `nosniff`, and a sandbox CSP (an image is
    never a document that runs anything), cacheable for a year (names never get new bytes)."""
    if not _NAME.fullmatch(name):
        raise Http404("No such file.")
    try:
        handle = storage.storage().open(name, "rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise Http404("No such file.") from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL
    return response
