"""Input and output shapes of the media API."""

from typing import Any

from rest_framework import serializers

from core.fields import StrictCharField
from media.models import DESCRIPTION_MAX_LENGTH, Media
from media.selectors import media_object, media_row


class MediaDescriptionField(StrictCharField):
    """Alt text: 0..1500 characters, kept exactly as written (no trimming)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "What the image shows, for people who cannot see it (alt text).")
        super().__init__(allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH, trim_whitespace=False, **kwargs)


class MediaUploadInput(serializers.Serializer):
    # allow_empty_file: an empty file is refused by the processing, with its own message.
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="The image: JPEG, PNG, WebP or GIF (the first frame of an animation), judged by its bytes. "
        "At most MEDIA_MAX_BYTES (10 MiB by default; larger is a 413) and MEDIA_MAX_PIXELS pixels (40 million).",
    )
    description = MediaDescriptionField(required=False)


# Keys of the media object that PATCH cannot change: naming one is a 400, never ignored.
_READ_ONLY_KEYS = ("id", "type", "url", "preview_url", "width", "height", "blurhash", "file")


class MediaUpdateInput(serializers.Serializer):
    description = MediaDescriptionField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = {key: ["This field cannot be changed."] for key in _READ_ONLY_KEYS if key in self.initial_data}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class MediaOutput(serializers.Serializer):
    """An image attachment. Declared for the OpenAPI schema; rendered by media.selectors.media_object."""

    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["image"], help_text="Always `image`.")
    url = serializers.URLField(help_text="The re-encoded image (long side at most MEDIA_MAX_SIDE), absolute.")
    preview_url = serializers.URLField(help_text="A preview, long side at most 640 px, absolute.")
    description = serializers.CharField(allow_blank=True, help_text="Alt text; empty when none was given.")
    width = serializers.IntegerField(help_text="Of the stored image (`url`).")
    height = serializers.IntegerField(help_text="Of the stored image (`url`).")
    blurhash = serializers.CharField(help_text="A BlurHash of the image, to show while it loads.")

    def to_representation(self, instance: Media) -> dict[str, Any]:
        return media_object(media_row(instance))
