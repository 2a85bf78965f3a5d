"""The browsable API's renderer: an HTML form for every write, built from the view's input serializer."""

from collections.abc import Mapping
from typing import Any

from rest_framework import renderers, serializers
from rest_framework.request import Request


class NoBodyInput(serializers.Serializer):
    """A POST that takes no body (follow, like, repost...): the browsable API's form is its button."""


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API with two changes.

    - A PATCH-only view (no PUT) gets an HTML form too, not only the raw content box
      (DRF renders HTML forms for POST and PUT only). The template shows it as `patch_form`.
    - After a write, DRF builds the form again from the response's serializer; ours is the
      output shape (TweetOutput...), so the form always comes from the view's input serializer.
    """

    def get_rendered_html_form(self, data: Any, view: Any, method: str, request: Request) -> Any:
        if request.method == method and getattr(data, "serializer", None) is not None:
            data = dict(data) if isinstance(data, dict) else list(data)  # drop the output serializer
        return super().get_rendered_html_form(data, view, method, request)

    def get_context(self, data: Any, accepted_media_type: str | None, renderer_context: Mapping[str, Any]) -> dict:
        context = super().get_context(data, accepted_media_type, renderer_context)
        view, request = renderer_context["view"], renderer_context["request"]
        if context["raw_data_patch_form"] and not context["raw_data_put_form"] and context["display_edit_forms"]:
            patch_form = self.get_rendered_html_form(data, view, "PATCH", request)
            if patch_form:
                # Shown by templates/rest_framework/api.html as HTML form + raw tabs, instead of
                # DRF's raw-only PUT/PATCH box.
                context["patch_form"] = patch_form
                context["raw_data_patch_only_form"] = context["raw_data_patch_form"]
                context["raw_data_patch_form"] = context["raw_data_put_or_patch_form"] = None
        return context
