"""HTTP views of the media app: upload, read and describe one's own images."""

from django.contrib.auth.base_user import AbstractBaseUser
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.openapi import ERROR_401, ERRORS_400
from media import selectors, services
from media.api.serializers import MediaOutput, MediaUpdateInput, MediaUploadInput
from media.parsers import MediaUploadParser
from media.throttles import MediaUploadThrottle


def request_user(request: Request) -> AbstractBaseUser:
    """The signed-in user (every media view requires one; accounts sits beside media, not below)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise NotAuthenticated()
    return user


ERROR_404 = OpenApiResponse(description="No such media of yours (another user's media is a 404 too).")
ERROR_413 = OpenApiResponse(description="The body is larger than MEDIA_MAX_BYTES allows.")
ERROR_429 = OpenApiResponse(description="Too many uploads (MEDIA_THROTTLE_RATE per user); see Retry-After.")


class MediaUploadView(generics.GenericAPIView):
    # `serializer_class` only for the browsable API's form (a file input).
    serializer_class = MediaUploadInput
    parser_classes = [MediaUploadParser]
    throttle_classes = [MediaUploadThrottle]

    @extend_schema(
        request={"multipart/form-data": MediaUploadInput},
        responses={
            201: MediaOutput,
            400: OpenApiResponse(
                description="No file, or the file is refused: not an image, an unsupported format, truncated "
                "or corrupt, or too many pixels (the message on `file` says which); or a description over "
                "1,500 characters."
            ),
            401: ERROR_401,
            413: ERROR_413,
            429: ERROR_429,
        },
        description="Upload an image (multipart/form-data). It is checked and re-encoded in the request: "
        "orientation applied, metadata removed, long side capped; the answer carries the final URLs. "
        "Attach it with `media_ids` on POST /api/tweets/ within 24 hours, or it is deleted.",
    )
    def post(self, request: Request) -> Response:
        data = MediaUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        media = services.media_upload(
            owner=request_user(request),
            file=data.validated_data["file"],
            description=data.validated_data.get("description", ""),
        )
        return Response(MediaOutput(media).data, status=status.HTTP_201_CREATED)


class MediaDetailView(generics.GenericAPIView):
    serializer_class = MediaUpdateInput

    @extend_schema(responses={200: MediaOutput, 401: ERROR_401, 404: ERROR_404})
    def get(self, request: Request, media_id: str) -> Response:
        media = selectors.media_get(media_id=media_id, owner_id=request_user(request).pk)
        return Response(MediaOutput(media).data)

    @extend_schema(
        request=MediaUpdateInput,
        responses={200: MediaOutput, 400: ERRORS_400, 401: ERROR_401, 404: ERROR_404},
        description="Change the description (alt text) of one of your images, attached or not.",
    )
    def patch(self, request: Request, media_id: str) -> Response:
        media = selectors.media_get(media_id=media_id, owner_id=request_user(request).pk)
        data = MediaUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        media = services.media_update(media=media, description=data.validated_data["description"])
        return Response(MediaOutput(media).data)
