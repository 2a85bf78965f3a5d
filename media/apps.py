from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import warnings

        from django.conf import settings
        from PIL import Image

        # Pillow's own decompression-bomb guard, on and at our limit: it refuses at open an
        # image over twice this (ours refuses over it, from the header, before any decoding).
        Image.MAX_IMAGE_PIXELS = settings.MEDIA_MAX_PIXELS
        # Between the limit and twice it Pillow only warns; media.processing refuses those itself.
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
