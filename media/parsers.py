"""The one parser that takes a file: multipart bodies up to MEDIA_MAX_BYTES (413 beyond)."""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from rest_framework.parsers import DataAndFiles, MultiPartParser

from core.exceptions import RequestTooLarge

# Room for the multipart envelope and the other fields (a 1,500-character description is
# at most 6 KB in UTF-8) around a file of exactly MEDIA_MAX_BYTES.
ENVELOPE_BYTES = 64 * 1024


class MediaTooLarge(RequestTooLarge):
    default_detail = "The file is too large."


class MediaMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps a file part of up to MEDIA_MAX_BYTES in memory: it is decoded at once, so a
    temporary file would only be written and read back (~15 ms for a 3 MB photo). At most
    MEDIA_MAX_BYTES per upload in flight; a larger body never gets this far."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        self.activated = content_length <= settings.MEDIA_MAX_BYTES + ENVELOPE_BYTES


class MediaUploadParser(MultiPartParser):
    """Refuses, before reading it, a body that cannot hold a file of at most MEDIA_MAX_BYTES,
    and after parsing, a file over it. The file part is kept in memory (MediaMemoryUploadHandler)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> DataAndFiles:
        limit = settings.MEDIA_MAX_BYTES
        request = (parser_context or {}).get("request")
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + ENVELOPE_BYTES:
                raise MediaTooLarge(f"The file is larger than {limit:,} bytes.")
            request.upload_handlers = [MediaMemoryUploadHandler(request)]
        parsed = super().parse(stream, media_type, parser_context)
        for upload in (upload for _, uploads in parsed.files.lists() for upload in uploads):
            if upload.size is not None and upload.size > limit:
                raise MediaTooLarge(f"The file is larger than {limit:,} bytes.")
        return parsed
