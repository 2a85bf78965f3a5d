"""Media through the Mastodon API (DESIGN.md section 9): upload (v1, v2), get, describe, attach
to statuses, media_attachments on every Status; one id space with the native API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from conftest import client_for
from mastodon_api.tests.clients import check
from media.models import Media
from media.tests import images
from media.tests.helpers import small_jpeg, stored_files, use_folder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    return use_folder(settings, tmp_path / "media")


def upload(client: APIClient, data: bytes | None = None, path: str = "/api/v2/media", **fields: str):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("photo.jpg", small_jpeg() if data is None else data, content_type="image/jpeg")
    return client.post(path, {"file": file, **fields}, format="multipart")


@pytest.mark.parametrize("path", ["/api/v2/media", "/api/v1/media", "/api/v2/media/"])
def test_upload_is_200_with_the_processed_attachment(mclient, alice, path):
    response = upload(mclient(alice), path=path, description="A heron")
    assert response.status_code == 200, response.content
    attachment = response.json()
    assert attachment["type"] == "image" and attachment["description"] == "A heron"
    assert attachment["url"].startswith("http://testserver/media/") and attachment["url"].endswith(".jpg")
    assert attachment["meta"]["original"] == {"width": 600, "height": 400, "size": "600x400", "aspect": 1.5}
    assert attachment["meta"]["small"] == {"width": 600, "height": 400, "size": "600x400", "aspect": 1.5}
    assert attachment["blurhash"] and attachment["remote_url"] is None


def test_one_id_space_with_the_native_api(mclient, alice):
    mastodon = mclient(alice)
    native = client_for(alice)
    attachment = upload(mastodon, description="same").json()
    mine = native.get(f"/api/media/{attachment['id']}/").json()
    assert (mine["id"], mine["url"], mine["preview_url"], mine["description"], mine["blurhash"]) == (
        attachment["id"],
        attachment["url"],
        attachment["preview_url"],
        attachment["description"],
        attachment["blurhash"],
    )
    native.patch(f"/api/media/{mine['id']}/", {"description": "changed natively"}, format="json")
    assert mastodon.get(f"/api/v1/media/{mine['id']}").json()["description"] == "changed natively"
    put = mastodon.put(f"/api/v1/media/{mine['id']}", {"description": "changed by PUT"}, format="json")
    assert put.status_code == 200 and put.json()["description"] == "changed by PUT"
    assert native.get(f"/api/media/{mine['id']}/").json()["description"] == "changed by PUT"
    form = mastodon.put(f"/api/v1/media/{mine['id']}", {"description": ""}, format="multipart")
    assert form.status_code == 200 and form.json()["description"] is None  # Mastodon: none is null
    assert native.get(f"/api/media/{mine['id']}/").json()["description"] == ""


def test_another_accounts_media_is_record_not_found(mclient, alice, bob):
    attachment = upload(mclient(alice)).json()
    other = mclient(bob)
    for response in (
        other.get(f"/api/v1/media/{attachment['id']}"),
        other.put(f"/api/v1/media/{attachment['id']}", {"description": "x"}, format="json"),
        other.get("/api/v1/media/nope"),
    ):
        assert response.status_code == 404 and response.json() == {"error": "Record not found"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (images.HTML, "not an image"),
        (images.SVG, "SVG"),
        (b"", "empty"),
        (images.png_bomb(), "Too many pixels"),
        (images.encoded(images.photo(300, 200), "JPEG")[:2000], "truncated"),
    ],
)
def test_a_refused_file_is_a_422_and_leaves_nothing(mclient, alice, media_dir, data, reason):
    response = upload(mclient(alice), data)
    assert response.status_code == 422
    assert set(response.json()) == {"error"} and reason in response.json()["error"]
    assert stored_files(media_dir) == [] and not Media.objects.exists()


def test_no_file_or_too_large_is_a_422(mclient, alice, settings):
    client = mclient(alice)
    missing = client.post("/api/v2/media", {"description": "nothing"}, format="multipart")
    assert missing.status_code == 422 and "error" in missing.json()
    settings.MEDIA_MAX_BYTES = 10_000
    large = upload(client)
    assert large.status_code == 422 and "larger than 10,000 bytes" in large.json()["error"]


def test_upload_needs_write_media(mclient, alice):
    assert upload(mclient(alice, scope="read")).status_code == 403
    assert upload(mclient(alice, scope="write:media")).status_code == 200
    assert upload(APIClient()).status_code == 401


def test_statuses_take_media_ids_form_and_json(mclient, alice):
    client = mclient(alice)
    ids = [upload(client, description=f"d{i}").json()["id"] for i in range(3)]
    form = client.post("/api/v1/statuses", {"status": "", "media_ids[]": ids[:2]})
    assert form.status_code == 200, form.content
    status = check("Status", form.json())
    assert [a["id"] for a in status["media_attachments"]] == ids[:2]
    assert [a["description"] for a in status["media_attachments"]] == ["d0", "d1"]
    as_json = client.post("/api/v1/statuses", {"status": "json", "media_ids": ids[2:]}, format="json")
    assert as_json.status_code == 200
    assert [a["id"] for a in as_json.json()["media_attachments"]] == ids[2:]
    # The native API shows the same tweets with the same media.
    native = client_for(alice).get(f"/api/tweets/{status['id']}/").json()
    assert [m["id"] for m in native["media"]] == ids[:2]
    assert [m["url"] for m in native["media"]] == [a["url"] for a in status["media_attachments"]]


@pytest.mark.parametrize("case", ["five", "other", "attached", "malformed"])
def test_bad_media_ids_are_422(mclient, alice, bob, case):
    client = mclient(alice)
    if case == "five":
        ids = [upload(client).json()["id"] for _ in range(5)]
    elif case == "other":
        ids = [upload(mclient(bob)).json()["id"]]
    elif case == "attached":
        ids = [upload(client).json()["id"]]
        assert client.post("/api/v1/statuses", {"status": "first", "media_ids[]": ids}).status_code == 200
    else:
        ids = ["x1"]
    response = client.post("/api/v1/statuses", {"status": "second", "media_ids[]": ids})
    assert response.status_code == 422
    assert set(response.json()) == {"error"}


def test_media_attachments_on_every_status(mclient, alice, django_capture_on_commit_callbacks):
    client = mclient(alice)
    media_id = upload(client, description="on the timeline").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        status = client.post("/api/v1/statuses", {"status": "look", "media_ids[]": [media_id]}).json()
    for body in (
        client.get("/api/v1/timelines/home").json(),
        client.get(f"/api/v1/accounts/{alice.pk}/statuses").json(),
        [client.get(f"/api/v1/statuses/{status['id']}").json()],
    ):
        found = next(s for s in body if s["id"] == status["id"])
        assert [a["description"] for a in found["media_attachments"]] == ["on the timeline"]
        assert found["media_attachments"][0]["meta"]["small"]["size"] == "600x400"


def test_instance_tells_the_truth_about_media(settings):
    for path in ("/api/v1/instance", "/api/v2/instance"):
        configuration = APIClient().get(path).json()["configuration"]
        assert configuration["statuses"]["max_media_attachments"] == 4
        media = configuration["media_attachments"]
        assert media["image_size_limit"] == settings.MEDIA_MAX_BYTES == 10 * 1024 * 1024
        assert media["image_matrix_limit"] == settings.MEDIA_MAX_PIXELS == 40_000_000
        assert set(media["supported_mime_types"]) == {"image/jpeg", "image/png", "image/webp", "image/gif"}
        assert media["video_size_limit"] == 0


def test_uploads_share_one_throttle_with_the_native_api(mclient, alice, settings):
    settings.MEDIA_THROTTLE_RATE = "2/hour"
    tiny = images.encoded(images.photo(40, 30), "JPEG")
    native = client_for(alice)
    file = SimpleUploadedFile("a.jpg", tiny, content_type="image/jpeg")
    assert native.post("/api/media/", {"file": file}, format="multipart").status_code == 201
    assert upload(mclient(alice), tiny).status_code == 200
    third = upload(mclient(alice), tiny)
    assert third.status_code == 429 and "error" in third.json()


def test_a_renderer_outside_a_request_uses_its_own_server_url(settings):
    """The stream process renders statuses with Renderer.for_base (no request): media URLs
    name that server, or the configured public base when there is one."""
    from mastodon_api.entities import Renderer

    row = [7, "ab/" + "a" * 32 + ".jpg", "cd/" + "c" * 32 + ".jpg", 800, 600, 640, 480, "LKO2?U%2Tw=w", "alt"]
    attachment = Renderer.for_base("https://chirp.example").media_attachment(row)
    assert attachment["url"] == "https://chirp.example/media/ab/" + "a" * 32 + ".jpg"
    assert attachment["preview_url"] == "https://chirp.example/media/cd/" + "c" * 32 + ".jpg"
    settings.MEDIA_PUBLIC_URL = "https://cdn.example/m"
    assert (
        Renderer.for_base("https://chirp.example").media_attachment(row)["url"].startswith("https://cdn.example/m/ab/")
    )
    settings.MEDIA_PUBLIC_URL = ""
    settings.MEDIA_S3_BUCKET, settings.MEDIA_S3_ENDPOINT_URL = "pics", "http://minio:9000"
    assert (
        Renderer.for_base("https://chirp.example").media_attachment(row)["url"].startswith("http://minio:9000/pics/ab/")
    )
