"""POST /api/media/, GET and PATCH /api/media/{id}/, and the files served at MEDIA_URL."""

import io
import re

import pytest
from PIL import Image

from media.models import Media, OrphanFile
from media.tests import images
from media.tests.helpers import post_upload, small_jpeg, stored_files
from tweets.tests.contract import MEDIA_KEYS

pytestmark = pytest.mark.django_db

NAME = re.compile(r"^http://testserver/media/([0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png))$")


def test_upload_is_201_with_the_media_object(make_client, alice, media_dir):
    response = post_upload(make_client(alice), description="A red kite over a field")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == MEDIA_KEYS
    assert body["type"] == "image"
    assert (body["width"], body["height"]) == (600, 400)
    assert body["description"] == "A red kite over a field"
    assert len(body["blurhash"]) == 36
    image, preview = NAME.match(body["url"]), NAME.match(body["preview_url"])
    assert image and preview and image.group(1) != preview.group(1)
    media = Media.objects.get(pk=int(body["id"]))
    assert (media.owner_id, media.file, media.preview, media.attached_at) == (
        alice.pk,
        image.group(1),
        preview.group(1),
        None,
    )
    assert stored_files(media_dir) == sorted([media.file, media.preview])
    assert not OrphanFile.objects.exists()


def test_names_are_random_even_for_the_same_bytes(make_client, alice):
    client = make_client(alice)
    first, second = post_upload(client).json(), post_upload(client).json()
    assert first["url"] != second["url"] and first["id"] != second["id"]
    assert "photo" not in first["url"]  # nothing of the uploaded name


def test_files_are_served_with_their_real_type_and_nosniff(make_client, alice, api_client):
    body = post_upload(make_client(alice)).json()
    for url, size in ((body["url"], (600, 400)), (body["preview_url"], (600, 400))):
        response = api_client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert "immutable" in response["Cache-Control"]
        data = b"".join(response.streaming_content)
        with Image.open(io.BytesIO(data)) as served:
            assert served.format == "JPEG" and served.size == size
        for secret in images.SECRETS.values():
            assert secret not in data
    assert api_client.get("/media/00/" + "0" * 32 + ".jpg").status_code == 404
    assert api_client.get("/media/../settings.py").status_code == 404


def test_a_png_with_transparency_is_served_as_png(make_client, alice, api_client):
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    body = post_upload(make_client(alice), images.encoded(image, "PNG"), name="x.jpg").json()
    assert body["url"].endswith(".png")
    assert api_client.get(body["url"].removeprefix("http://testserver"))["Content-Type"] == "image/png"


# Each refused upload: the status, and what the message on `file` (or the detail) must say.
BAD_UPLOADS = {
    "not an image": (b"just some text, not a picture\n" * 10, "photo.jpg", 400, "not an image"),
    "svg": (images.SVG, "drawing.svg", 400, "Unsupported image format SVG"),
    "html saved as .jpg": (images.HTML, "cat.jpg", 400, "not an image"),
    "truncated jpeg": (images.encoded(images.photo(400, 300), "JPEG")[:4000], "photo.jpg", 400, "truncated or corrupt"),
    "empty file": (b"", "empty.jpg", 400, "empty"),
    "pixel bomb": (images.png_bomb(), "bomb.png", 400, "Too many pixels"),
    "over MEDIA_MAX_BYTES": (None, "huge.jpg", 413, "larger than 50,000 bytes"),
}


def test_a_refused_upload_leaves_no_row_and_no_file(make_client, alice, media_dir, settings):
    settings.MEDIA_MAX_BYTES = 50_000
    big = images.encoded(images.photo(800, 600), "JPEG", quality=95)
    assert len(big) > 50_000
    client = make_client(alice)
    for case, (data, name, code, reason) in BAD_UPLOADS.items():
        response = post_upload(client, data if data is not None else big, name=name)
        assert response.status_code == code, (case, response.content)
        body = response.json()
        message = " ".join(body["file"]) if code == 400 else body["detail"]
        assert reason in message, (case, body)
        assert stored_files(media_dir) == [], case
        assert not Media.objects.exists(), case
        assert not OrphanFile.objects.exists(), case
    # And the same client's next good upload works.
    assert post_upload(client, images.encoded(images.photo(80, 60), "JPEG")).status_code == 201


def test_a_failure_while_storing_leaves_nothing_behind(make_client, alice, media_dir, monkeypatch):
    from media import storage

    real_save = storage.save
    calls = []

    def failing_save(name: str, data: bytes) -> None:
        calls.append(name)
        if len(calls) == 2:  # the preview: the image is already written
            raise OSError("disk full")
        real_save(name, data)

    monkeypatch.setattr(storage, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        post_upload(make_client(alice))
    assert stored_files(media_dir) == []
    assert not Media.objects.exists() and not OrphanFile.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "file"),
        ({"file": "not a file"}, "file"),
        ({"description": "x" * 1501}, "description"),
    ],
)
def test_bad_input_is_400_on_the_field(make_client, alice, body, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if field == "description":
        body = {**body, "file": SimpleUploadedFile("a.jpg", small_jpeg(), content_type="image/jpeg")}
    response = make_client(alice).post("/api/media/", body, format="multipart")
    assert response.status_code == 400
    assert field in response.json()


def test_json_body_is_415(make_client, alice):
    response = make_client(alice).post("/api/media/", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_upload_needs_authentication(api_client):
    assert post_upload(api_client).status_code == 401


def test_description_of_1500_characters_is_kept_as_written(make_client, alice):
    text = " two\nlines " + "é" * 1489
    assert len(text) == 1500
    assert post_upload(make_client(alice), description=text).json()["description"] == text


def test_get_and_patch_own_media(make_client, alice):
    client = make_client(alice)
    created = post_upload(client, description="before").json()
    path = f"/api/media/{created['id']}/"
    assert client.get(path).json() == created
    patched = client.patch(path, {"description": "after"}, format="json")
    assert patched.status_code == 200
    assert patched.json() == {**created, "description": "after"}
    assert client.get(path).json()["description"] == "after"
    assert client.patch(path, {"description": ""}, format="json").json()["description"] == ""


def test_another_users_media_is_404_and_unchanged(make_client, alice, bob):
    created = post_upload(make_client(alice), description="mine").json()
    path = f"/api/media/{created['id']}/"
    other = make_client(bob)
    assert other.get(path).status_code == 404
    assert other.patch(path, {"description": "hijacked"}, format="json").status_code == 404
    assert Media.objects.get(pk=int(created["id"])).description == "mine"


@pytest.mark.parametrize("media_id", ["abc", "0", "-1", "01", "99999999999999999999", "1.5"])
def test_malformed_or_unknown_id_is_404(make_client, alice, media_id):
    assert make_client(alice).get(f"/api/media/{media_id}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x" * 1501}, "description"),
        ({"description": 5}, "description"),
        ({}, "description"),
        ({"description": "ok", "url": "http://evil.example/x.jpg"}, "url"),
        ({"description": "ok", "width": 1}, "width"),
    ],
)
def test_patch_bad_input_is_400_naming_the_field(make_client, alice, body, field):
    client = make_client(alice)
    created = post_upload(client).json()
    response = client.patch(f"/api/media/{created['id']}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_uploads_are_throttled_per_user(make_client, alice, bob, settings):
    settings.MEDIA_THROTTLE_RATE = "2/hour"
    client = make_client(alice)
    tiny = images.encoded(images.photo(40, 30), "JPEG")
    assert [post_upload(client, tiny).status_code for _ in range(3)] == [201, 201, 429]
    assert "Retry-After" in post_upload(client, tiny)
    assert post_upload(make_client(bob), tiny).status_code == 201  # a bucket per user
