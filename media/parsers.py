"""The one parser that takes a file: multipart bodies up to MEDIA_MAX_BYTES (413 beyond)."""

from typing import Any

from django.conf import settings
from rest_framework.parsers import DataAndFiles, MultiPartParser

from config.exceptions import RequestTooLarge

# Room for the multipart envelope and the other fields (a 1,500-character description is
# at most 6 KB in UTF-8) around a file of exactly MEDIA_MAX_BYTES.
ENVELOPE_BYTES = 64 * 1024


class MediaTooLarge(RequestTooLarge):
    default_detail = "The file is too large."


class MediaUploadParser(MultiPartParser):
    """Refuses, before reading it, a body that cannot hold a file of at most MEDIA_MAX_BYTES,
    and after parsing, a file over it. Django streams file parts to a temporary file above
    FILE_UPLOAD_MAX_MEMORY_SIZE, so a worker never holds the whole body twice."""

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
        parsed = super().parse(stream, media_type, parser_context)
        for upload in (upload for _, uploads in parsed.files.lists() for upload in uploads):
            if upload.size is not None and upload.size > limit:
                raise MediaTooLarge(f"The file is larger than {limit:,} bytes.")
        return parsed
